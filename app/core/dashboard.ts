import type User from '#identity/models/user'

/**
 * 工作台 panels contributed by the modules, so the home page (identity) never imports a module:
 * a module registers a provider at boot (its routes file), the dashboard asks every provider
 * for the current user and hands the results to the view under the provider's name.
 */
export type DashboardProvider = (user: User) => Promise<Record<string, unknown>>

const providers = new Map<string, DashboardProvider>()

export function registerDashboardProvider(name: string, provider: DashboardProvider) {
  providers.set(name, provider)
}

/** Every provider's panels for this user, merged (a provider answers only for its roles). */
export async function dashboardPanels(user: User): Promise<Record<string, unknown>> {
  const panels: Record<string, unknown> = {}
  for (const provider of providers.values()) Object.assign(panels, await provider(user))
  return panels
}
