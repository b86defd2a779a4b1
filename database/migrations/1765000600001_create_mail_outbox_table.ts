import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * 邮件发件箱: every mail of the app is written here (in the caller's transaction) and sent by
 * the outbox job, so a mail server that is down loses nothing. A row is claimed before it is
 * sent (status queued → sending → sent), so two senders never send it twice.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('mail_outbox', (table) => {
      table.increments('id')
      /** What kind of mail: review.invitation, alert.notice, alert.escalation, alert.digest … */
      table.string('kind', 40).notNullable()
      table.string('to_address', 320).notNullable()
      table.string('to_name', 200).nullable()
      table.string('subject', 500).notNullable()
      table.text('html', 'mediumtext').nullable()
      table.text('text', 'mediumtext').notNullable()
      /** What the mail is about (alert, project …), for the 邮件发送记录 filters. */
      table.string('ref_type', 40).nullable()
      table.string('ref_id', 64).nullable()
      /** queued | sending | sent | failed */
      table.string('status', 16).notNullable().defaultTo('queued')
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('next_attempt_at').notNullable()
      table.timestamp('claimed_at').nullable()
      table.string('claim_token', 40).nullable()
      table.timestamp('sent_at').nullable()
      table.string('last_error', 1000).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['status', 'id'], 'mail_outbox_status_id_index')
      table.index(['created_at'], 'mail_outbox_created_at_index')
    })
  }

  async down() {
    this.schema.dropTable('mail_outbox')
  }
}
