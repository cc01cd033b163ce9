#!/usr/bin/env node
// Offline compile check closest to DevTools (docs/reference/wechat.md §B3): miniprogram-ci getCompiledResult with
// minifyWXML/minifyWXSS, which catches app.json/page json problems, JS/TS syntax errors and WXML/WXSS
// parse errors. Exits 0 when it compiles, 1 otherwise (miniprogram-ci never exits on its own).
const { compile } = require('./miniprogram-ci-project');

const started = Date.now();
compile().then(
  (files) => {
    const bytes = Object.keys(files).reduce((sum, f) => sum + (Buffer.isBuffer(files[f]) ? files[f].length : Buffer.byteLength(String(files[f]))), 0);
    console.log(`mini program compiled: ${Object.keys(files).length} files in ${Date.now() - started} ms`);
    console.log(`main package bytes: ${bytes}`);
    process.exit(0);
  },
  (err) => {
    console.error(`mini program does not compile: ${err && err.code ? `[${err.code}] ` : ''}${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
