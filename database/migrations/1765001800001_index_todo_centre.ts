import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The 工作台 to-do centre at 50,000 projects: each index answers one of its queries from the
 * index alone (both databases append the primary key).
 * - projects (state, updated_at): the count and the oldest waiting project per state, and the
 *   oldest few of each state; (unit_id, state, updated_at) the same within an applicant's unit;
 * - projects (decided_at, state): the monthly trend of decisions within a year;
 * - panel_members (user_id, status): the seats waiting on an expert;
 * - acceptance_requests (decided_at, status), project_evaluations (rated_at): the year's
 *   acceptance and evaluation figures.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('projects', (table) => {
      table.index(['state', 'updated_at'], 'projects_state_updated_index')
      table.index(['unit_id', 'state', 'updated_at'], 'projects_unit_state_updated_index')
      table.index(['decided_at', 'state'], 'projects_decided_state_index')
    })
    this.schema.alterTable('panel_members', (table) => {
      table.index(['user_id', 'status'], 'panel_members_user_status_index')
    })
    this.schema.alterTable('acceptance_requests', (table) => {
      table.index(['decided_at', 'status'], 'acceptance_requests_decided_status_index')
    })
    this.schema.alterTable('project_evaluations', (table) => {
      table.index(['rated_at'], 'project_evaluations_rated_index')
    })
  }

  async down() {
    this.schema.alterTable('project_evaluations', (table) => {
      table.dropIndex(['rated_at'], 'project_evaluations_rated_index')
    })
    this.schema.alterTable('acceptance_requests', (table) => {
      table.dropIndex(['decided_at', 'status'], 'acceptance_requests_decided_status_index')
    })
    this.schema.alterTable('panel_members', (table) => {
      table.dropIndex(['user_id', 'status'], 'panel_members_user_status_index')
    })
    this.schema.alterTable('projects', (table) => {
      table.dropIndex(['decided_at', 'state'], 'projects_decided_state_index')
      table.dropIndex(['unit_id', 'state', 'updated_at'], 'projects_unit_state_updated_index')
      table.dropIndex(['state', 'updated_at'], 'projects_state_updated_index')
    })
  }
}
