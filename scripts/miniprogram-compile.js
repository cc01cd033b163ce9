#!/usr/bin/env node
// Offline compile check closest to DevTools (docs/reference/wechat.md §B3): miniprogram-ci getCompiledResult with
// minifyWXML/minifyWXSS, which catches app.json/page json problems, JS/TS syntax errors and WXML/WXSS
// parse errors. Exits 0 when it compiles, 1 otherwise (miniprogram-ci never exits on its own).
const { compile, packageSizes } = require('./miniprogram-ci-project');

const started = Date.now();
compile().then(
  (files) => {
    const sizes = packageSizes(files);
    const total = Object.keys(sizes).reduce((sum, pkg) => sum + sizes[pkg], 0);
    console.log(`mini program compiled: ${Object.keys(files).length} files in ${Date.now() - started} ms`);
    console.log(`main package bytes: ${sizes.main}`);
    Object.keys(sizes)
      .filter((pkg) => pkg !== 'main')
      .forEach((pkg) => console.log(`subpackage ${pkg} bytes: ${sizes[pkg]}`));
    console.log(`all packages bytes: ${total}`);
    process.exit(0);
  },
  (err) => {
    console.error(`mini program does not compile: ${err && err.code ? `[${err.code}] ` : ''}${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
