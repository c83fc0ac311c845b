import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Org tree, contacts, accounts, roles, sessions, invite codes, audit log. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('org')
    .addColumn('id', d.idType)
    .addColumn('parent_id', 'integer', (c) => c.references('org.id'))
    .addColumn('path', d.pathType, (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text')
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('category', 'text')
    .addColumn('established_on', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('merged_into_id', 'integer')
    .addColumn('descendant_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();
  await db.schema.createIndex('org_path_idx').on('org').column('path').execute();
  await db.schema.createIndex('org_parent_idx').on('org').columns(['parent_id', 'status']).execute();
  await db.schema.createIndex('org_name_idx').on('org').column('name').execute();

  await db.schema
    .createTable('org_contact')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('post', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('phone_last4', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();
  await db.schema.createIndex('org_contact_org_idx').on('org_contact').column('org_id').execute();

  await db.schema
    .createTable('account')
    .addColumn('id', d.idType)
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_system_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('last_login_at', ts)
    .execute();

  await db.schema
    .createTable('role')
    .addColumn('id', d.idType)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('role_type', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();
  await db.schema.createIndex('role_account_idx').on('role').column('account_id').execute();
  await db.schema.createIndex('role_org_idx').on('role').column('org_id').execute();

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();

  await db.schema
    .createTable('login_failure')
    .addColumn('id', d.idType)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failure_key_idx').on('login_failure').columns(['key', 'at']).execute();

  await db.schema
    .createTable('invite_code')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('role_type', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .addColumn('used_by', 'integer', (c) => c.references('account.id'))
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('invite_code_org_idx').on('invite_code').column('org_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', d.idType)
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('account_id', 'integer')
    .addColumn('org_id', 'integer')
    .addColumn('org_path', d.pathType)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('audit_log_path_idx').on('audit_log').columns(['org_path', 'id']).execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  void sql;
}
