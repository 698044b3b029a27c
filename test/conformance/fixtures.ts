import { setTimeout as sleep } from 'node:timers/promises';
import { crc32, deflateSync } from 'node:zlib';
import { z } from 'zod';
import type {
  CallToolResult,
  HandlerContext,
  McpCatalogue,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from '../../src/protocol/mcp/definitions.js';

/**
 * The fixture tools, resources, template and prompts that the official MCP conformance suite
 * (@modelcontextprotocol/conformance 0.1.16, --spec-version 2025-06-18) calls by name.
 * Registered by the conformance test only, never by the product. Texts follow the scenarios' descriptions.
 */

const noArgs = z.object({});

/** A 1×1 red pixel PNG, built here so no binary file is checked in. */
export function tinyPngBase64(): string {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData) >>> 0);
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  // compression, filter and interlace methods stay 0
  const scanline = Buffer.from([0, 0xff, 0x00, 0x00]); // filter byte "none", then one red pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]).toString('base64');
}

/** 50 ms of silence as a PCM WAV file (8 kHz, 16-bit, mono). */
export function tinyWavBase64(): string {
  const sampleRate = 8000;
  const samples = 400;
  const dataBytes = samples * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // channels
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  return wav.toString('base64');
}

const PNG = tinyPngBase64();
const WAV = tinyWavBase64();

const text = (value: string) => ({ type: 'text', text: value });
const toolError = (message: string): CallToolResult => ({ isError: true, content: [text(message)] });

/** Tools here have no `output` schema: each handler returns a CallToolResult as is. */
function tool<I extends z.ZodType>(definition: Omit<ToolDefinition<I>, 'role' | 'output'>): ToolDefinition {
  return { role: 'reader', ...definition };
}

function clientSupports(ctx: HandlerContext, capability: string): boolean {
  return Object.hasOwn(ctx.clientCapabilities, capability);
}

const tools: ToolDefinition[] = [
  tool({
    name: 'test_simple_text',
    description: 'Returns a simple text response.',
    input: noArgs,
    handler: async () => ({ content: [text('This is a simple text response for testing.')] }),
  }),
  tool({
    name: 'test_image_content',
    description: 'Returns a 1x1 PNG image.',
    input: noArgs,
    handler: async () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }),
  }),
  tool({
    name: 'test_audio_content',
    description: 'Returns a short WAV clip.',
    input: noArgs,
    handler: async () => ({ content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] }),
  }),
  tool({
    name: 'test_embedded_resource',
    description: 'Returns an embedded text resource.',
    input: noArgs,
    handler: async () => ({
      content: [
        {
          type: 'resource',
          resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
        },
      ],
    }),
  }),
  tool({
    name: 'test_multiple_content_types',
    description: 'Returns text, image and embedded resource content together.',
    input: noArgs,
    handler: async () => ({
      content: [
        text('Multiple content types test:'),
        { type: 'image', data: PNG, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  }),
  tool({
    name: 'test_tool_with_logging',
    description: 'Sends three info log notifications while it runs.',
    input: noArgs,
    handler: async (_args, ctx) => {
      await ctx.log('info', 'Tool execution started');
      await sleep(50, undefined, { signal: ctx.signal });
      await ctx.log('info', 'Tool processing data');
      await sleep(50, undefined, { signal: ctx.signal });
      await ctx.log('info', 'Tool execution completed');
      return { content: [text('Tool with logging executed successfully')] };
    },
  }),
  tool({
    name: 'test_error_handling',
    description: 'Always fails with a tool error result.',
    input: noArgs,
    handler: async () => toolError('This tool intentionally returns an error for testing'),
  }),
  tool({
    name: 'test_tool_with_progress',
    description: 'Reports progress 0, 50 and 100 of 100 when given a progressToken.',
    input: noArgs,
    handler: async (_args, ctx) => {
      await ctx.progress(0, 100);
      await sleep(50, undefined, { signal: ctx.signal });
      await ctx.progress(50, 100);
      await sleep(50, undefined, { signal: ctx.signal });
      await ctx.progress(100, 100);
      return { content: [text('Tool with progress executed successfully')] };
    },
  }),
  tool({
    name: 'test_sampling',
    description: 'Asks the client for an LLM completion of the prompt (sampling/createMessage).',
    input: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
    handler: async ({ prompt }, ctx) => {
      if (!clientSupports(ctx, 'sampling')) return toolError('The client does not support sampling');
      const result = (await ctx.requestClient('sampling/createMessage', {
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: 100,
      })) as { content?: { type?: string; text?: string } } | undefined;
      const reply = result?.content?.type === 'text' ? result.content.text : JSON.stringify(result?.content);
      return { content: [text(`LLM response: ${reply}`)] };
    },
  }),
  tool({
    name: 'test_elicitation',
    description: 'Asks the user for a username and email (elicitation/create).',
    input: z.object({ message: z.string().describe('The message to show the user') }),
    handler: async ({ message }, ctx) => {
      if (!clientSupports(ctx, 'elicitation')) return toolError('The client does not support elicitation');
      const result = (await ctx.requestClient('elicitation/create', {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      })) as { action?: string; content?: Record<string, unknown> } | undefined;
      return {
        content: [text(`User response: action=${result?.action}, content=${JSON.stringify(result?.content ?? {})}`)],
      };
    },
  }),
];

const staticResource = (
  uri: string,
  name: string,
  description: string,
  mimeType: string,
  body: { text: string } | { blob: string },
): ResourceDefinition => ({
  uri,
  name,
  description,
  mimeType,
  role: 'reader',
  read: async () => [{ uri, mimeType, ...body }],
});

const resources: ResourceDefinition[] = [
  staticResource('test://static-text', 'static-text', 'A static text resource', 'text/plain', {
    text: 'This is the content of the static text resource.',
  }),
  staticResource('test://static-binary', 'static-binary', 'A static binary resource (a 1x1 PNG)', 'image/png', { blob: PNG }),
  staticResource('test://watched-resource', 'watched-resource', 'A resource clients may subscribe to', 'text/plain', {
    text: 'Watched resource content',
  }),
];

const template: ResourceTemplateDefinition = {
  uriTemplate: 'test://template/{id}/data',
  name: 'template-data',
  description: 'Data for an id, substituted into the URI',
  mimeType: 'application/json',
  role: 'reader',
  read: async (uri, variables) => {
    const id = variables.id ?? '';
    return [{ uri, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }];
  },
  complete: async (variable, value) => (variable === 'id' ? ['123', '456', '789'].filter((v) => v.startsWith(value)) : []),
};

const ARG_SUGGESTIONS = ['paris', 'park', 'party', 'test', 'testing'];

const prompts: PromptDefinition[] = [
  {
    name: 'test_simple_prompt',
    description: 'A simple prompt without arguments',
    role: 'reader',
    get: async () => ({ messages: [{ role: 'user', content: text('This is a simple prompt for testing.') }] }),
  },
  {
    name: 'test_prompt_with_arguments',
    description: 'A prompt with two required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true },
      { name: 'arg2', description: 'Second test argument', required: true },
    ],
    role: 'reader',
    get: async (args) => ({
      messages: [
        { role: 'user', content: text(`Prompt with arguments: arg1='${args.arg1 ?? ''}', arg2='${args.arg2 ?? ''}'`) },
      ],
    }),
    complete: async (_argument, value) => ARG_SUGGESTIONS.filter((v) => v.startsWith(value)),
  },
  {
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt that embeds the resource it is given',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    role: 'reader',
    get: async (args) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: args.resourceUri ?? '', mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        { role: 'user', content: text('Please process the embedded resource above.') },
      ],
    }),
  },
  {
    name: 'test_prompt_with_image',
    description: 'A prompt with image content',
    role: 'reader',
    get: async () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
        { role: 'user', content: text('Please analyze the image above.') },
      ],
    }),
  },
];

export function registerConformanceFixtures(catalogue: McpCatalogue): void {
  for (const t of tools) catalogue.tools.set(t.name, t);
  for (const r of resources) catalogue.resources.set(r.uri, r);
  catalogue.templates.set(template.uriTemplate, template);
  for (const p of prompts) catalogue.prompts.set(p.name, p);
}
