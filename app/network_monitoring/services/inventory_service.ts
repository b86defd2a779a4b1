import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Device, {
  type Criticality,
  type DeviceType,
  type SnmpVersion,
  type V3_AUTH_PROTOCOLS,
  type V3_PRIV_PROTOCOLS,
  type V3_SECURITY_LEVELS,
} from '#network_monitoring/models/device'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import audit, { type AuditActor } from '#core/audit/audit_service'
import { openSecret, sealSecret } from '#network_monitoring/services/credentials'
import { markRollupDirty } from '#network_monitoring/services/marks'

/** A device as the form and the CSV import give it. Blank credentials keep the stored ones. */
export interface DeviceInput {
  name: string
  managementIp: string
  snmpPort: number
  snmpVersion: SnmpVersion
  community?: string | null
  v3Username?: string | null
  v3SecurityLevel?: (typeof V3_SECURITY_LEVELS)[number] | null
  v3AuthProtocol?: (typeof V3_AUTH_PROTOCOLS)[number] | null
  v3AuthKey?: string | null
  v3PrivProtocol?: (typeof V3_PRIV_PROTOCOLS)[number] | null
  v3PrivKey?: string | null
  deviceType: DeviceType
  siteId: number
  parentDeviceId?: number | null
  unitId?: number | null
  criticality: Criticality
  pollIntervalSeconds: number
  isEnabled: boolean
  description?: string | null
}

/** A rule a device breaks beyond field syntax; worded by monitoring.validator.messages.<rule>. */
export interface DeviceProblem {
  field: keyof DeviceInput
  rule: 'required' | 'v3Required' | 'parentSelf' | 'parentCycle'
}

/** Fields recorded in the audit trail (never credentials; only whether they changed). */
const AUDITED = [
  'name',
  'managementIp',
  'snmpPort',
  'snmpVersion',
  'v3Username',
  'v3SecurityLevel',
  'v3AuthProtocol',
  'v3PrivProtocol',
  'deviceType',
  'siteId',
  'parentDeviceId',
  'unitId',
  'criticality',
  'pollIntervalSeconds',
  'isEnabled',
  'description',
] as const

function snapshot(device: Device) {
  return Object.fromEntries(AUDITED.map((key) => [key, device[key] ?? null]))
}

/** A DATETIME as the drivers return it (Date, or 'yyyy-MM-dd HH:mm:ss' in UTC) as ISO. */
function sqlUtc(value: Date | string) {
  return value instanceof Date ? value.toISOString() : `${value.replace(' ', 'T')}Z`
}

function blank(value: string | null | undefined): value is null | undefined | '' {
  return value === null || value === undefined || value === ''
}

/**
 * The device inventory (设备台账). Every change — the row and its audit
 * event — is one transaction; secrets are sealed before they reach the row.
 */
export class InventoryService {
  /**
   * Rules across fields: credentials a version needs (unless already stored)
   * and a parent chain without loops. `existing` is the device being edited.
   */
  async check(input: DeviceInput, existing?: Device | null, client?: TransactionClientContract) {
    const problems: DeviceProblem[] = []
    if (input.snmpVersion === 'v3') {
      if (blank(input.v3Username)) problems.push({ field: 'v3Username', rule: 'v3Required' })
      if (!input.v3SecurityLevel) problems.push({ field: 'v3SecurityLevel', rule: 'v3Required' })
      if (input.v3SecurityLevel === 'authNoPriv' || input.v3SecurityLevel === 'authPriv') {
        if (!input.v3AuthProtocol) problems.push({ field: 'v3AuthProtocol', rule: 'v3Required' })
        if (blank(input.v3AuthKey) && !existing?.v3AuthKeyEncrypted) {
          problems.push({ field: 'v3AuthKey', rule: 'v3Required' })
        }
      }
      if (input.v3SecurityLevel === 'authPriv') {
        if (!input.v3PrivProtocol) problems.push({ field: 'v3PrivProtocol', rule: 'v3Required' })
        if (blank(input.v3PrivKey) && !existing?.v3PrivKeyEncrypted) {
          problems.push({ field: 'v3PrivKey', rule: 'v3Required' })
        }
      }
    } else if (blank(input.community) && !existing?.communityEncrypted) {
      problems.push({ field: 'community', rule: 'required' })
    }

    if (input.parentDeviceId && existing) {
      if (input.parentDeviceId === existing.id) {
        problems.push({ field: 'parentDeviceId', rule: 'parentSelf' })
      } else if (await this.#isAncestor(existing.id, input.parentDeviceId, client)) {
        problems.push({ field: 'parentDeviceId', rule: 'parentCycle' })
      }
    }
    return problems
  }

  /** Whether `ancestorId` is reached walking up the parent chain from `fromId`. */
  async #isAncestor(ancestorId: number, fromId: number, client?: TransactionClientContract) {
    const seen = new Set<number>()
    let current: number | null = fromId
    while (current !== null && !seen.has(current)) {
      if (current === ancestorId) return true
      seen.add(current)
      const row: { parent_device_id: number | null } | null = await (client ?? db)
        .from('network_devices')
        .select('parent_device_id')
        .where('id', current)
        .first()
      current = row?.parent_device_id === null || !row ? null : Number(row.parent_device_id)
    }
    return false
  }

  /**
   * Whether saving input would change the device at all: an audited field or
   * a credential (a credential equal to the stored one is no change).
   */
  changes(device: Device, input: DeviceInput) {
    const probe = new Device()
    probe.merge(snapshot(device))
    const before = snapshot(device)
    this.assign(probe, { ...input, community: null, v3AuthKey: null, v3PrivKey: null })
    const after = snapshot(probe)
    const fields = Object.keys(after).filter(
      (key) => String(before[key] ?? '') !== String(after[key] ?? '')
    )
    const secretChanged = (given: string | null | undefined, stored: string | null) => {
      if (blank(given)) return false
      try {
        return openSecret(stored) !== given
      } catch {
        return true
      }
    }
    const secrets = [
      secretChanged(input.community, device.communityEncrypted) && 'community',
      secretChanged(input.v3AuthKey, device.v3AuthKeyEncrypted) && 'v3AuthKey',
      secretChanged(input.v3PrivKey, device.v3PrivKeyEncrypted) && 'v3PrivKey',
    ].filter(Boolean)
    return { fields, secrets, any: fields.length > 0 || secrets.length > 0 }
  }

  /** Copies input onto the model; returns which secrets were replaced. */
  assign(device: Device, input: DeviceInput) {
    const changedSecrets: string[] = []
    device.merge({
      name: input.name,
      managementIp: input.managementIp,
      snmpPort: input.snmpPort,
      snmpVersion: input.snmpVersion,
      deviceType: input.deviceType,
      siteId: input.siteId,
      parentDeviceId: input.parentDeviceId ?? null,
      unitId: input.unitId ?? null,
      criticality: input.criticality,
      pollIntervalSeconds: input.pollIntervalSeconds,
      isEnabled: input.isEnabled,
      description: input.description ?? null,
    })
    if (input.snmpVersion === 'v3') {
      device.merge({
        v3Username: input.v3Username ?? null,
        v3SecurityLevel: input.v3SecurityLevel ?? null,
        v3AuthProtocol: input.v3AuthProtocol ?? null,
        v3PrivProtocol: input.v3PrivProtocol ?? null,
      })
    }
    if (!blank(input.community)) {
      device.communityEncrypted = sealSecret(input.community)
      changedSecrets.push('community')
    }
    if (!blank(input.v3AuthKey)) {
      device.v3AuthKeyEncrypted = sealSecret(input.v3AuthKey)
      changedSecrets.push('v3AuthKey')
    }
    if (!blank(input.v3PrivKey)) {
      device.v3PrivKeyEncrypted = sealSecret(input.v3PrivKey)
      changedSecrets.push('v3PrivKey')
    }
    return changedSecrets
  }

  async create(input: DeviceInput, actor: AuditActor) {
    return db.transaction((trx) => this.createIn(trx, input, actor))
  }

  /** Creates a device inside the caller's transaction (used by the CSV import too). */
  async createIn(trx: TransactionClientContract, input: DeviceInput, actor: AuditActor) {
    const device = new Device()
    device.useTransaction(trx)
    const secrets = this.assign(device, input)
    await device.save()
    await audit.record(
      {
        ...actor,
        action: 'device.create',
        targetType: 'network_device',
        targetId: device.id,
        details: { ...snapshot(device), credentialsSet: secrets },
      },
      trx
    )
    return device
  }

  async update(device: Device, input: DeviceInput, actor: AuditActor) {
    return db.transaction((trx) => this.updateIn(trx, device, input, actor))
  }

  async updateIn(
    trx: TransactionClientContract,
    device: Device,
    input: DeviceInput,
    actor: AuditActor
  ) {
    device.useTransaction(trx)
    const before = snapshot(device)
    const secrets = this.assign(device, input)
    await device.save()
    const after = snapshot(device)
    const changed = Object.keys(after).filter(
      (key) => String(before[key] ?? '') !== String(after[key] ?? '')
    )
    await audit.record(
      {
        ...actor,
        action: 'device.update',
        targetType: 'network_device',
        targetId: device.id,
        details: {
          name: device.name,
          changed: Object.fromEntries(changed.map((key) => [key, [before[key], after[key]]])),
          credentialsChanged: secrets,
        },
      },
      trx
    )
    return device
  }

  async setEnabled(device: Device, enabled: boolean, actor: AuditActor) {
    device.isEnabled = enabled
    await audit.saveWithAudit(device, {
      ...actor,
      action: enabled ? 'device.enable' : 'device.disable',
      targetType: 'network_device',
      targetId: device.id,
      details: { name: device.name },
    })
  }

  /** Deletes a device with its state and history (history tables carry no foreign keys). */
  async delete(device: Device, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const rows = await trx.from('device_interfaces').select('id').where('device_id', device.id)
      const interfaceIds = rows.map((row) => Number(row.id))
      if (interfaceIds.length > 0) {
        await trx.from('interface_samples').whereIn('interface_id', interfaceIds).delete()
        await trx.from('interface_rollups').whereIn('interface_id', interfaceIds).delete()
      }
      await trx.from('device_polls').where('device_id', device.id).delete()
      await trx.from('device_rollups').where('device_id', device.id).delete()
      await trx.from('network_devices').where('id', device.id).delete()
      await audit.record(
        {
          ...actor,
          action: 'device.delete',
          targetType: 'network_device',
          targetId: device.id,
          details: snapshot(device),
        },
        trx
      )
    })
  }

  async addMaintenanceWindow(
    device: Device,
    input: { startsAt: DateTime; endsAt: DateTime; reason: string },
    actor: AuditActor
  ) {
    return db.transaction(async (trx) => {
      const window = await MaintenanceWindow.create(
        {
          deviceId: device.id,
          startsAt: input.startsAt.toUTC(),
          endsAt: input.endsAt.toUTC(),
          reason: input.reason,
          createdById: actor.actorId,
        },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'device.maintenance_add',
          targetType: 'network_device',
          targetId: device.id,
          details: {
            name: device.name,
            windowId: window.id,
            startsAt: window.startsAt.toISO(),
            endsAt: window.endsAt.toISO(),
            reason: window.reason,
          },
        },
        trx
      )
      await this.#reflagPolls(trx, device.id, window.startsAt, window.endsAt)
      return window
    })
  }

  /**
   * A window recorded (or removed) after the fact still decides which polls
   * count: re-marks the stored polls in [from, to) against the device's
   * windows and has the rollups (availability) recomputed from there. Only
   * polls still held raw can change; older rollups stay as they are.
   */
  async #reflagPolls(
    trx: TransactionClientContract,
    deviceId: number,
    from: DateTime,
    to: DateTime
  ) {
    const fromTs = Math.floor(from.toSeconds())
    const toTs = Math.ceil(to.toSeconds())
    const polls = () =>
      trx.from('device_polls').where('device_id', deviceId).where('ts', '>=', fromTs)
    const [first] = await polls().where('ts', '<', toTs).min('ts as ts')
    if (first?.ts === null || first?.ts === undefined) return
    await polls().where('ts', '<', toTs).update({ in_maintenance: false })
    const windows = await trx
      .from('maintenance_windows')
      .where('device_id', deviceId)
      .where('starts_at', '<', to.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'))
      .where('ends_at', '>', from.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'))
      .select('starts_at', 'ends_at')
    for (const window of windows) {
      const starts = Math.floor(new Date(sqlUtc(window.starts_at)).getTime() / 1000)
      const ends = Math.ceil(new Date(sqlUtc(window.ends_at)).getTime() / 1000)
      await polls()
        .where('ts', '>=', Math.max(fromTs, starts))
        .where('ts', '<', Math.min(toTs, ends))
        .update({ in_maintenance: true })
    }
    await markRollupDirty(trx, Number(first.ts))
  }

  async removeMaintenanceWindow(device: Device, window: MaintenanceWindow, actor: AuditActor) {
    return db.transaction(async (trx) => {
      await trx.from('maintenance_windows').where('id', window.id).delete()
      await this.#reflagPolls(trx, device.id, window.startsAt, window.endsAt)
      await audit.record(
        {
          ...actor,
          action: 'device.maintenance_remove',
          targetType: 'network_device',
          targetId: device.id,
          details: {
            name: device.name,
            windowId: window.id,
            startsAt: window.startsAt.toISO(),
            endsAt: window.endsAt.toISO(),
          },
        },
        trx
      )
    })
  }
}

export default new InventoryService()
