import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Seeds demo data mirroring the seeds' county (idempotent). */
export default class DemoSeed extends BaseCommand {
  static commandName = 'demo:seed'
  static description = 'Create demo units and one account per role (safe to run again)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Only seed when the database has no users yet' })
  declare ifEmpty: boolean

  @flags.boolean({ description: 'Allow seeding in production' })
  declare force: boolean

  async run() {
    if (this.app.inProduction && !this.force) {
      this.logger.error('Refusing to seed demo accounts in production (use --force if you mean it)')
      this.exitCode = 1
      return
    }
    const { default: User } = await import('#identity/models/user')
    const { seedIdentity, DEMO_ACCOUNTS, DEMO_PASSWORD } =
      await import('#database/seeders/demo/identity')

    const existing = await User.query().count('* as total')
    if (this.ifEmpty && Number(existing[0].$extras.total) > 0) {
      this.logger.info('Database already has users: demo seeding skipped')
    } else {
      await seedIdentity((line) => this.logger.info(line))
    }
    await this.seedNetwork()
    await this.seedReview()
    await this.seedDuty()
    await import('#database/seeders/demo/alert_history').then((m) =>
      m.seedAlertHistory(this.logger.info.bind(this.logger))
    )

    const present = await User.query()
      .whereIn(
        'username',
        DEMO_ACCOUNTS.map((a) => a.username)
      )
      .where('is_active', true)
    if (present.length === 0) return
    const table = this.ui.table()
    table.head(['用户名 username', '密码 password', '角色 role'])
    for (const account of DEMO_ACCOUNTS.filter((a) =>
      present.some((u) => u.username === a.username)
    )) {
      table.row([account.username, DEMO_PASSWORD, account.roles.join(', ')])
    }
    this.logger.info('Demo logins (change them before any real use):')
    table.render()
  }

  /** The simulated county's sites and devices (only into an empty inventory with --if-empty). */
  protected async seedNetwork() {
    const { default: Device } = await import('#network_monitoring/models/device')
    const { seedNetwork } = await import('#database/seeders/demo/network')
    const { monitoringSettings } = await import('#network_monitoring/services/monitoring_settings')
    const devices = await Device.query().count('* as total')
    if (this.ifEmpty && Number(devices[0].$extras.total) > 0) {
      this.logger.info('Inventory already has devices: network demo seeding skipped')
      return
    }
    await seedNetwork((line) => this.logger.info(line), {
      basePort: monitoringSettings().simulatorPort,
    })
  }

  /** The demo 值班表 (skipped when the roster has shifts). */
  protected async seedDuty() {
    const { seedDuty } = await import('#database/seeders/demo/duty')
    await seedDuty((line) => this.logger.info(line))
  }

  /** A year of reviewed projects, experts and panels (skipped when the demo projects exist). */
  protected async seedReview() {
    const { seedReview } = await import('#database/seeders/demo/review')
    await seedReview((line) => this.logger.info(line))
  }
}
