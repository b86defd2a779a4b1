import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import { PROJECT_STATES } from '#project_review/lifecycle'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedReview } from '#database/seeders/demo/review'

test.group('Demo data (demo:seed)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a year of projects in every state, 14 reviewed with a 25.10 % cut, and safe to run again', async ({
    assert,
  }) => {
    await seedIdentity()
    const stats = await seedReview()
    assert.isNotNull(stats)
    assert.equal(stats!.count, 14)
    assert.equal(stats!.cutRateBp, 2510)
    const projects = await Project.query().select('state')
    const states = new Set(projects.map((project) => project.state))
    assert.sameMembers([...states], [...PROJECT_STATES])
    assert.isNull(await seedReview())
  }).timeout(120_000)
})
