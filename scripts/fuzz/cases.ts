// The fuzzer's cases, all endpoints together: one fast-check arbitrary per endpoint family (cases/), each case knowing
// what the server must answer.
//
// Rule: a case writes only the tables it names (`writes`, and `writesIfAccepted` when it is answered
// 2xx/3xx); the run compares every table of both databases after every case (tables.ts). Requests that
// would move an order (a valid new order, paying or cancelling an open order, a signed webhook that
// changes one) are never generated; requests that succeed without that (reads, idempotent replays,
// harmless signed webhooks, a random login code, a refund of carol's order, a re-check) are expected to.
import fc from 'fast-check';
import { adminReads, adminRecheck, adminRefund, adminResend, adminResolve } from './cases/admin-api';
import { consoleForms, consolePage, consoleSignIn } from './cases/console';
import { clientErrorsCase, subscriptionsCase } from './cases/notify';
import { getOrderCase, orderActionCase } from './cases/order';
import { createOrderCase, listOrdersCase, publicCase, quoteCase } from './cases/orders';
import { badUrlCase, hugeHeadCase, infiniteWaitCase, longIdCase, unknownRouteCase } from './cases/routes';
import { sessionsCase } from './cases/sessions';
import { webhookCase } from './cases/webhooks';
import type { FuzzCase } from './model';

export function fuzzCase(): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 10, arbitrary: sessionsCase },
    { weight: 20, arbitrary: createOrderCase },
    { weight: 5, arbitrary: quoteCase },
    { weight: 6, arbitrary: listOrdersCase },
    { weight: 16, arbitrary: getOrderCase },
    { weight: 11, arbitrary: orderActionCase('payment') },
    { weight: 11, arbitrary: orderActionCase('cancel') },
    { weight: 4, arbitrary: subscriptionsCase },
    { weight: 3, arbitrary: clientErrorsCase },
    { weight: 4, arbitrary: publicCase('GET /api/products') },
    { weight: 3, arbitrary: publicCase('GET /api/config') },
    { weight: 15, arbitrary: webhookCase },
    { weight: 4, arbitrary: unknownRouteCase },
    { weight: 2, arbitrary: badUrlCase },
    { weight: 2, arbitrary: longIdCase },
    { weight: 1, arbitrary: hugeHeadCase },
    { weight: 1, arbitrary: infiniteWaitCase },
    ...adminCaseArbitraries(),
  );
}

/** The merchant's side (cases/admin-api.ts, cases/console.ts), weighted among themselves, mixed above with the shopper's. */
function adminCaseArbitraries(): Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzCase> }> {
  return [
    { weight: 8, arbitrary: adminReads() },
    { weight: 6, arbitrary: adminRefund() },
    { weight: 2, arbitrary: adminRecheck() },
    { weight: 2, arbitrary: adminResolve() },
    { weight: 1, arbitrary: adminResend() },
    { weight: 5, arbitrary: consolePage() },
    { weight: 3, arbitrary: consoleSignIn() },
    { weight: 4, arbitrary: consoleForms() },
  ];
}
