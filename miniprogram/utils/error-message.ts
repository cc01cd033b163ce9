// The one place that turns an error (server code, NETWORK, payment error) into a sentence for shoppers.
import { hasMessage, t } from './i18n';

/** The code carried by an error-like value (`ApiError.code`, `PaymentError.code`), if any. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/**
 * One localised message per code (server codes from server/errors.ts, payment error codes, and
 * NETWORK), and a generic one for anything else. Never shows the server's English developer text.
 */
export function errorMessage(err: unknown): string {
  const key = `error.${errorCode(err) ?? 'GENERIC'}`;
  return hasMessage(key) ? t(key) : t('error.GENERIC');
}
