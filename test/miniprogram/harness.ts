// Test harness for the mini program: loads pages/components in miniprogram-simulate, fakes `wx`
// per test (answers on the microtask queue, docs/reference/wechat.md §B1 pitfall 7), fakes the server's HTTP API,
// and runs pages in a fake app that is as strict as WeChat where jsdom would be kinder
// (docs/reference/wechat.md §A8): a page stack of 10 with WeChat's navigation rules and lifecycle order,
// showModal's button text limits, requests cut off in the background, RequestTask.abort.
// One import for the tests; each part lives in its own file (fake-wx*.ts, fake-server.ts, page-loader.ts,
// page-runner.ts, queries.ts).
export * from './fake-server';
export * from './fake-wx';
export * from './fake-wx-open';
export * from './page-loader';
export * from './page-runner';
export * from './queries';
