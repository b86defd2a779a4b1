import { mapVendorType } from '#network_monitoring/alerts/classification'

/**
 * The GB/T 20986 sub-category code of a pushed event: from its `category` when that names a
 * code or a known type, else from the vendor `type`; 'other' when neither is known (the raw
 * text is kept on the alert as 其他, never dropped).
 */
export function pushedCategory(type: string | undefined, category: string | undefined): string {
  const fromCategory = mapVendorType(category)
  return fromCategory === 'other' ? mapVendorType(type) : fromCategory
}
