import { z } from 'zod';
import { strategySchema } from '../../../tasks/task-schemas.js';
import type { SettingsService } from '../../../tenancy/settings-service.js';
import { route, type RouteSpec } from './route-spec.js';

const settingsView = z.object({ default_strategy: strategySchema });

export function settingsRoutes(settings: SettingsService): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/settings',
      operationId: 'getSettings',
      summary: 'This tenant’s settings',
      tag: 'settings',
      response: settingsView,
      status: 200,
      handler: async ({ principal }) => ({ default_strategy: (await settings.get(principal)).defaultStrategy }),
    }),
    route({
      method: 'PATCH',
      path: '/api/v1/settings',
      operationId: 'updateSettings',
      summary: 'Change the default assignment strategy of this tenant',
      tag: 'settings',
      body: z.object({ default_strategy: strategySchema }).strict(),
      response: settingsView,
      status: 200,
      handler: async ({ principal, body }) => ({
        default_strategy: (await settings.setDefaultStrategy(principal, body.default_strategy)).defaultStrategy,
      }),
    }),
  ];
}
