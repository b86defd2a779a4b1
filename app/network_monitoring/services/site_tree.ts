import Site from '#network_monitoring/models/site'

export interface TownNode {
  site: Site
  villages: Site[]
}

export interface CountyNode {
  site: Site
  towns: TownNode[]
}

export interface SiteTree {
  counties: CountyNode[]
  /** Every site by id. */
  byId: Map<number, Site>
  /** Sites whose parent is missing or of the wrong level (shown so they can be fixed). */
  orphans: Site[]
}

const bySortThenName = (a: Site, b: Site) =>
  a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id

/** The whole site tree (县 → 乡镇 → 村) in display order, from one query. */
export async function loadSiteTree(): Promise<SiteTree> {
  const sites = await Site.query().orderBy('sort_order').orderBy('id')
  const byId = new Map(sites.map((site) => [site.id, site]))
  const children = new Map<number, Site[]>()
  for (const site of sites) {
    if (site.parentId === null) continue
    const list = children.get(site.parentId) ?? []
    list.push(site)
    children.set(site.parentId, list)
  }
  const placed = new Set<number>()
  const counties = sites
    .filter((site) => site.level === 'county' && site.parentId === null)
    .sort(bySortThenName)
    .map((county) => {
      placed.add(county.id)
      const towns = (children.get(county.id) ?? [])
        .filter((site) => site.level === 'town')
        .sort(bySortThenName)
        .map((town) => {
          placed.add(town.id)
          const villages = (children.get(town.id) ?? [])
            .filter((site) => site.level === 'village')
            .sort(bySortThenName)
          for (const village of villages) placed.add(village.id)
          return { site: town, villages }
        })
      return { site: county, towns }
    })
  const orphans = sites.filter((site) => !placed.has(site.id))
  return { counties, byId, orphans }
}

/** The town a site belongs to (itself for a town, its parent for a village), or null. */
export function townOf(site: Site, byId: Map<number, Site>): Site | null {
  if (site.level === 'town') return site
  if (site.level === 'village' && site.parentId !== null) return byId.get(site.parentId) ?? null
  return null
}

/** One row of the site list: the site with its town and county, in tree order. */
export interface SiteRow {
  site: Site
  county: Site | null
  town: Site | null
  /** 乡镇 / 村 (or the county name for a town), the label that tells same-named villages apart. */
  path: string
  /** Parent missing or of the wrong level. */
  orphan: boolean
}

/** Every site as a flat list in display order (counties, each town followed by its villages; orphans last). */
export function siteRows(tree: SiteTree): SiteRow[] {
  const rows: SiteRow[] = []
  for (const county of tree.counties) {
    rows.push({
      site: county.site,
      county: null,
      town: null,
      path: county.site.name,
      orphan: false,
    })
    for (const town of county.towns) {
      rows.push({
        site: town.site,
        county: county.site,
        town: null,
        path: town.site.name,
        orphan: false,
      })
      for (const village of town.villages) {
        rows.push({
          site: village,
          county: county.site,
          town: town.site,
          path: `${town.site.name} / ${village.name}`,
          orphan: false,
        })
      }
    }
  }
  for (const site of tree.orphans) {
    rows.push({ site, county: null, town: null, path: site.name, orphan: true })
  }
  return rows
}

export interface SiteRowFilter {
  q?: string
  level?: Site['level']
  townId?: number
}

/** The rows a site-list filter keeps: the search matches the name or its 乡镇 / 村 path. */
export function filterSiteRows(rows: SiteRow[], filter: SiteRowFilter): SiteRow[] {
  const term = filter.q?.toLowerCase()
  return rows.filter(
    (row) =>
      (!term || row.path.toLowerCase().includes(term)) &&
      (!filter.level || row.site.level === filter.level) &&
      (!filter.townId || row.site.id === filter.townId || row.town?.id === filter.townId)
  )
}
