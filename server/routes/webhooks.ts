// POST /webhooks/airwallex: the raw bytes go to the webhook service, which verifies and records them.
import type { AppDeps, TypedApp } from './types';

const WEBHOOK_BODY_LIMIT = 512 * 1024;

export function registerWebhookRoutes(app: TypedApp, deps: AppDeps): void {
  // The signature covers the exact bytes Airwallex sent, so this scope never parses JSON itself.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/airwallex', async (request) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await deps.webhooks.receive(body, { timestamp: header('x-timestamp'), signature: header('x-signature') });
      return { received: true, outcome };
    });
  });
}
