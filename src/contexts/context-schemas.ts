import { z } from 'zod';

/** A session's context: a small JSON key/value document that agents share and resume after reconnecting. */
// Control characters in keys break logs and terminals; the regex names them on purpose.
// eslint-disable-next-line no-control-regex
const contextKey = z.string().min(1).max(200).regex(/^[^\u0000-\u001f]+$/, 'no control characters');

export const sessionIdSchema = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits and . _ : -');

export const contextUpdateSchema = z
  .object({
    session_id: sessionIdSchema.optional().describe('Session whose context to update; defaults to the calling session'),
    set: z.record(contextKey, z.unknown()).default({}).describe('Keys to set to JSON values'),
    remove: z.array(contextKey).max(1000).default([]).describe('Keys to remove'),
  })
  .strict()
  .refine((v) => Object.keys(v.set).length + v.remove.length > 0, { message: 'give at least one key in set or remove' })
  .refine((v) => Object.keys(v.set).length <= 1000, { message: 'at most 1000 keys per update', path: ['set'] });

export const contextGetSchema = z
  .object({
    session_id: sessionIdSchema.optional().describe('Session whose context to read; defaults to the calling session'),
  })
  .strict();

export const contextViewSchema = z.object({
  session_id: z.string(),
  items: z.record(z.string(), z.unknown()),
  updated_at: z.string().nullable(),
});
export type ContextView = z.infer<typeof contextViewSchema>;

/** REST body: PUT replaces nothing implicitly; it applies set/remove like the MCP tool. */
export const contextPatchBodySchema = z
  .object({
    set: z.record(contextKey, z.unknown()).default({}),
    remove: z.array(contextKey).max(1000).default([]),
  })
  .strict();
