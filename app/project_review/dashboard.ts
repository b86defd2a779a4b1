import { registerDashboardProvider } from '#core/dashboard'

let service: Promise<typeof import('#project_review/services/todo')> | null = null

/** The project-review to-do centre on the 工作台 (its service loaded on the first request). */
registerDashboardProvider('project_review', async (user) => {
  service ??= import('#project_review/services/todo')
  const { default: todo } = await service
  return todo.forUser(user)
})
