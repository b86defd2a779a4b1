import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/lock'
import type { InferLockStores } from '@adonisjs/lock/types'

/**
 * Locks shared between processes (the poll tick: the web scheduler, a
 * separate `snmp:poll` and extra web workers never poll the same devices
 * twice). The database store needs nothing more than the app's database;
 * with several hosts and Redis at hand, `LOCK_STORE=redis` (after
 * installing and configuring @adonisjs/redis) is the production choice.
 */
const lockConfig = defineConfig({
  default: env.get('LOCK_STORE', 'database'),
  stores: {
    database: stores.database({ tableName: 'locks' }),
    memory: stores.memory(),
  },
})

export default lockConfig

declare module '@adonisjs/lock/types' {
  export interface LockStoresList extends InferLockStores<typeof lockConfig> {}
}
