import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ctxOf, okOutput, pageQuery } from '../common/http.js';
import { badRequest } from '../common/errors.js';
import { sendWorkbook } from '../common/excel.js';
import { ORG_KINDS } from '../db/schema.js';
import { presentOrg } from './org.service.js';
import { importTemplate } from './org-import.js';
import { COMPLETENESS_PROBLEMS, type CompletenessProblem } from './org-reports.js';
import {
  contactsInput,
  orgCreateInput,
  orgDetailOutput,
  orgDissolveInput,
  orgIdParams,
  orgMergeInput,
  orgMoveInput,
  orgOutput,
  orgUpdateInput,
} from './org.schemas.js';

const tags = ['组织 org'];
const orgRef = (need: 'read' | 'write', key = 'id', from: 'params' | 'body' | 'query' = 'params') => ({
  type: 'org' as const,
  from,
  key,
  need,
});
const items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

export async function orgRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/orgs/roots', {
    config: { access: 'session' },
    schema: { tags, summary: '我管辖的顶级组织 Top orgs of my roles', response: { 200: items(orgOutput) } },
    handler: async (req) => ({ items: await s.orgs.roots(req.actor!) }),
  });

  r.get('/api/orgs/search', {
    config: { access: 'session' },
    schema: {
      tags,
      summary: '按名称或代码搜索组织 Search orgs by name or code',
      querystring: z.strictObject({
        q: z.string().trim().min(1, '请输入搜索内容').max(50),
        within: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(30),
      }),
      response: { 200: items(orgOutput.extend({ pathNames: z.array(z.string()) })) },
    },
    handler: async (req) => ({
      items: await s.orgs.search(req.actor!, req.query.q, req.query.limit, req.query.within),
    }),
  });

  r.get('/api/orgs/import-template.xlsx', {
    config: { access: 'session' },
    schema: { tags, summary: '下载组织导入模板 Download the org import template (.xlsx)' },
    handler: (_req, reply) => sendWorkbook(reply, '组织导入模板.xlsx', importTemplate()),
  });

  r.get('/api/orgs/:id', {
    config: { access: { refs: [orgRef('read')] } },
    schema: { tags, summary: '组织详情 Org details', params: orgIdParams, response: { 200: orgDetailOutput } },
    handler: (req) => s.orgs.detail(req.actor!, req.params.id),
  });

  r.get('/api/orgs/:id/children', {
    config: { access: { refs: [orgRef('read')] } },
    schema: {
      tags,
      summary: '下级组织（含下级总数）Children with descendant counts',
      params: orgIdParams,
      response: { 200: items(orgOutput) },
    },
    handler: async (req) => ({ items: await s.orgs.children(req.actor!, req.params.id) }),
  });

  r.post('/api/orgs', {
    config: { access: { refs: [orgRef('write', 'parentId', 'body')] } },
    schema: { tags, summary: '新建组织 Create an org', body: orgCreateInput, response: { 201: orgOutput } },
    handler: async (req, reply) => reply.code(201).send(presentOrg(await s.orgs.create(ctxOf(req), req.body))),
  });

  r.patch('/api/orgs/:id', {
    config: { access: { refs: [orgRef('write')] } },
    schema: {
      tags,
      summary: '修改组织 Update an org',
      params: orgIdParams,
      body: orgUpdateInput,
      response: { 200: orgOutput },
    },
    handler: async (req) => presentOrg(await s.orgs.update(ctxOf(req), req.params.id, req.body)),
  });

  r.put('/api/orgs/:id/contacts', {
    config: { access: { refs: [orgRef('write')] } },
    schema: {
      tags,
      summary: '设置书记和联系人 Set secretary and contacts',
      params: orgIdParams,
      body: contactsInput,
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.orgs.setContacts(ctxOf(req), req.params.id, req.body.contacts);
      return { ok: true as const };
    },
  });

  r.get('/api/orgs/:id/contacts/:contactId/phone', {
    config: { access: { refs: [orgRef('write')] } },
    schema: {
      tags,
      summary: '查看完整电话（记录审计）Reveal a full phone number (audited)',
      params: z.strictObject({ id: z.coerce.number().int().positive(), contactId: z.coerce.number().int().positive() }),
      response: { 200: z.object({ phone: z.string() }) },
    },
    handler: async (req) => ({ phone: await s.orgs.revealPhone(ctxOf(req), req.params.id, req.params.contactId) }),
  });

  r.post('/api/orgs/:id/move', {
    config: { access: { refs: [orgRef('write'), orgRef('write', 'parentId', 'body')] } },
    schema: {
      tags,
      summary: '移动组织（连同全部下级）Move an org with its subtree',
      params: orgIdParams,
      body: orgMoveInput,
      response: { 200: orgOutput },
    },
    handler: async (req) => presentOrg(await s.orgs.move(ctxOf(req), req.params.id, req.body.parentId)),
  });

  r.post('/api/orgs/:id/merge', {
    config: { access: { refs: [orgRef('write'), orgRef('write', 'intoId', 'body')] } },
    schema: {
      tags,
      summary: '合并组织 Merge an org into another',
      params: orgIdParams,
      body: orgMergeInput,
      response: { 200: orgOutput },
    },
    handler: async (req) => presentOrg(await s.orgs.merge(ctxOf(req), req.params.id, req.body.intoId)),
  });

  r.post('/api/orgs/:id/dissolve', {
    config: { access: { refs: [orgRef('write')] } },
    schema: {
      tags,
      summary: '撤销组织（保留历史）Dissolve an org (kept in history)',
      params: orgIdParams,
      body: orgDissolveInput,
      response: { 200: orgOutput },
    },
    handler: async (req) => presentOrg(await s.orgs.dissolve(ctxOf(req), req.params.id, req.body.reason)),
  });

  const completenessQuery = z.strictObject({
    problem: z.enum(Object.keys(COMPLETENESS_PROBLEMS) as [CompletenessProblem]).optional(),
    ...pageQuery,
  });
  r.get('/api/orgs/:id/completeness', {
    config: { access: { refs: [orgRef('read')] } },
    schema: {
      tags,
      summary: '完整性检查 Completeness to-do list of a subtree',
      params: orgIdParams,
      querystring: completenessQuery,
      response: {
        200: z.object({
          summary: z.record(z.string(), z.number()),
          problemLabels: z.record(z.string(), z.string()),
          total: z.number(),
          items: z.array(
            z.object({
              orgId: z.number(),
              orgName: z.string(),
              orgKind: z.string(),
              kindLabel: z.string(),
              pathNames: z.string(),
              memberCount: z.number(),
              problemCodes: z.array(z.string()),
              problems: z.array(z.string()),
            }),
          ),
        }),
      },
    },
    handler: (req) =>
      s.orgReports.completeness(req.actor!, req.params.id, req.query.problem, req.query.page, req.query.pageSize),
  });

  r.get('/api/orgs/:id/completeness.xlsx', {
    config: { access: { refs: [orgRef('read')] } },
    schema: {
      tags,
      summary: '导出完整性检查 Export the completeness list',
      params: orgIdParams,
      querystring: completenessQuery.pick({ problem: true }),
    },
    handler: async (req, reply) => {
      const res = await s.orgReports.completeness(req.actor!, req.params.id, req.query.problem, 1, 100_000);
      return sendWorkbook(reply, '组织完整性检查.xlsx', [
        {
          name: '完整性检查',
          columns: [
            { header: '组织', key: 'orgName', width: 36 },
            { header: '上级路径', key: 'pathNames', width: 40 },
            { header: '组织类型', key: 'kindLabel', width: 10 },
            { header: '团员数', key: 'memberCount', width: 8 },
            { header: '问题', key: 'problemText', width: 40 },
          ],
          rows: res.items.map((i) => ({ ...i, problemText: i.problems.join('；') })),
        },
      ]);
    },
  });

  const directoryQuery = z.strictObject({
    q: z.string().trim().max(50).optional(),
    kind: z.enum(ORG_KINDS).optional(),
    category: z.string().max(20).optional(),
    post: z.string().max(20).optional(),
  });
  r.get('/api/orgs/:id/directory', {
    config: { access: { refs: [orgRef('read')] } },
    schema: {
      tags: ['工作通讯录 directory'],
      summary: '工作通讯录 Contact directory of a subtree (masked phones)',
      params: orgIdParams,
      querystring: directoryQuery.extend(pageQuery),
      response: {
        200: z.object({
          total: z.number(),
          items: z.array(
            z.object({
              contactId: z.number(),
              orgId: z.number(),
              orgName: z.string(),
              kind: z.string(),
              kindLabel: z.string(),
              category: z.string().nullable(),
              name: z.string(),
              post: z.string(),
              phoneMasked: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: (req) => {
      const { page, pageSize, ...f } = req.query;
      return s.orgReports.directory(req.actor!, req.params.id, f, page, pageSize);
    },
  });

  r.get('/api/orgs/:id/directory.xlsx', {
    config: { access: { refs: [orgRef('read')] } },
    schema: {
      tags: ['工作通讯录 directory'],
      summary:
        '导出工作通讯录；full=1 导出完整号码（需管理权限，记录审计）Export the directory; full=1 exports full numbers (write access, audited)',
      params: orgIdParams,
      querystring: directoryQuery.extend({ full: z.enum(['0', '1']).default('0') }),
    },
    handler: async (req, reply) => {
      const { full, ...f } = req.query;
      const sheet = await s.orgReports.directorySheet(ctxOf(req), req.params.id, f, full === '1');
      return sendWorkbook(reply, '工作通讯录.xlsx', [sheet]);
    },
  });

  r.get('/api/orgs/:id/export.xlsx', {
    config: { access: { refs: [orgRef('read')] } },
    schema: { tags, summary: '导出组织（导入模板格式）Export the subtree in the import layout', params: orgIdParams },
    handler: async (req, reply) =>
      sendWorkbook(reply, '组织列表.xlsx', [await s.orgReports.exportSheet(req.actor!, req.params.id)]),
  });

  r.post('/api/orgs/:id/import', {
    config: { access: { refs: [orgRef('write')] } },
    schema: {
      tags,
      summary:
        '从 Excel 批量新建下级组织（先预览；有任何错误则整体不导入）Bulk-create orgs from .xlsx (all or nothing)',
      consumes: ['multipart/form-data'],
      params: orgIdParams,
      querystring: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false') }),
    },
    handler: async (req) => {
      const file = await req.file({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
      if (!file) throw badRequest('请选择要导入的 Excel 文件', [{ path: 'file', message: '没有上传文件' }]);
      const buf = await file.toBuffer();
      if (file.file.truncated) throw badRequest('文件超过 10 MB，请分批导入', [{ path: 'file', message: '文件过大' }]);
      if (buf.length === 0) throw badRequest('文件是空的', [{ path: 'file', message: '空文件' }]);
      return s.orgImport.run(ctxOf(req), req.params.id, buf, req.query.dryRun === 'true');
    },
  });
}
