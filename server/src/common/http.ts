import { parseDate } from './time.js';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../audit/audit.js';
import { unauthorized } from './errors.js';

/** The acting user and address of a request, for commands and the audit trail. */
export function ctxOf(req: FastifyRequest): Ctx {
  if (!req.actor) throw unauthorized();
  return { actor: req.actor, ip: req.ip };
}

export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
};

export const errorOutput = z.object({
  code: z.string(),
  message: z.string(),
  problems: z
    .array(
      z.object({
        path: z.string(),
        message: z.string(),
        row: z.number().optional(),
        column: z.string().optional(),
        value: z.string().optional(),
      }),
    )
    .optional(),
});

export const okOutput = z.object({ ok: z.literal(true) });

/** A calendar day `YYYY-MM-DD` that exists: 2026-02-30 is refused, not rolled over to March. */
export const dayInput = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((v) => parseDate(v) === v, '日期不存在');
