#!/usr/bin/env node
// Prints the compiled main package size (what miniprogram-ci would upload, minified), in KB.
// WeChat's limit is 2 MB per package; checkCodeQuality warns above 1.5 MB.
const { compile } = require('./miniprogram-ci-project');

compile().then(
  (files) => {
    let total = 0;
    const byFolder = {};
    Object.keys(files).forEach((file) => {
      const content = files[file];
      const bytes = Buffer.isBuffer(content) ? content.length : Buffer.byteLength(String(content));
      total += bytes;
      const folder = file.indexOf('/') > 0 ? file.slice(0, file.indexOf('/')) : '(root)';
      byFolder[folder] = (byFolder[folder] || 0) + bytes;
    });
    Object.keys(byFolder)
      .sort()
      .forEach((folder) => console.log(`  ${folder.padEnd(16)} ${(byFolder[folder] / 1024).toFixed(1)} KB`));
    console.log(`main package: ${(total / 1024).toFixed(1)} KB (${Object.keys(files).length} files; limit 2048 KB)`);
    process.exit(0);
  },
  (err) => {
    console.error(`mini program does not compile: ${err && err.code ? `[${err.code}] ` : ''}${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
