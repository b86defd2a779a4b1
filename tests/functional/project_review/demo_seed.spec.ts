import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import { DateTime } from 'luxon'
import { ACCEPTED_STATES, PROJECT_STATES } from '#project_review/lifecycle'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedReview } from '#database/seeders/demo/review'

test.group('Demo data (demo:seed)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a year of projects in every state, 14 reviewed with a 25.10 % cut, 17 accepted for about 4,300 万元, and safe to run again', async ({
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
    const accepted = await Project.query()
      .whereIn('state', [...ACCEPTED_STATES])
      .where('completed_at', '>=', DateTime.utc().startOf('year').toFormat('yyyy-MM-dd HH:mm:ss'))
    assert.lengthOf(accepted, 17)
    const wan = accepted.reduce((sum, project) => sum + project.approvedFen!, 0) / 1_000_000
    assert.isAbove(wan, 4200)
    assert.isBelow(wan, 4400)
    assert.isNull(await seedReview())
  }).timeout(120_000)
})
