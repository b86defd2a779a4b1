import type { LucidModel, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'

/** Number of rows a model query matches. */
export async function countRows<M extends LucidModel>(query: ModelQueryBuilderContract<M>) {
  const [row] = await query.count('* as total')
  return Number(row.$extras.total)
}
