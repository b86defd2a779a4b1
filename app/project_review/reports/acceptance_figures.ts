/** Acceptance and evaluation figures of a year, for the annual statistics. */
export interface AcceptanceFigures {
  /** 验收通过 projects in the year. */
  accepted: number
  /** Their accumulated amount (settlement where filed, else approved), fen. */
  amountFen: number
  /** 整改 rounds in the year. */
  rectifications: number
  /** 绩效评价 completed in the year. */
  evaluated: number
}

/**
 * The acceptance tables arrive with the acceptance work (issue #13); until they exist every
 * figure is 0 and the report says 无.
 */
export async function acceptanceFigures(_year: number): Promise<AcceptanceFigures> {
  return { accepted: 0, amountFen: 0, rectifications: 0, evaluated: 0 }
}
