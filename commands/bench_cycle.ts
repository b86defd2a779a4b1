import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** `npm run bench:cycle`: the whole poll pipeline at scale (see bench/cycle.ts). Wipes its database. */
export default class BenchCycle extends BaseCommand {
  static commandName = 'bench:cycle'
  static description = 'Benchmark poll cycles (poll, rates, store) against simulated devices'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Devices (24-port switches)', default: 10_000 })
  declare devices: number

  @flags.number({ description: 'Share of dead devices', default: 0.3 })
  declare dead: number

  @flags.number({
    description: 'Cycles to run (the first one meets the dead devices unknown)',
    default: 3,
  })
  declare cycles: number

  @flags.number({ description: 'Devices polled at once', default: 256 })
  declare concurrency: number

  async run() {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const dialect = db.connection().dialect.name
    if (this.app.inProduction) {
      this.logger.error('bench:cycle wipes its database: not in production')
      this.exitCode = 1
      return
    }
    await this.kernel.exec('migration:fresh', ['--force'])
    this.logger.info(`database: ${dialect}`)
    const { runCycleBench } = await import('../bench/cycle.js')
    await runCycleBench({
      devices: this.devices,
      dead: this.dead,
      cycles: this.cycles,
      concurrency: this.concurrency,
      print: (line) => this.logger.info(`[${dialect}] ${line}`),
    })
  }
}
