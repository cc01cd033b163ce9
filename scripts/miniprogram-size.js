#!/usr/bin/env node
// Prints the compiled size (what miniprogram-ci would upload, minified) of the main package, by
// folder, and of each subpackage, in KB. WeChat's limit is 2 MB per package; checkCodeQuality warns
// above 1.5 MB; this project keeps the main package, downloaded before the first page, within 64 KB.
const { compile, packageOf, packageSizes } = require('./miniprogram-ci-project');

compile().then(
  (files) => {
    const byFolder = {};
    Object.keys(files).forEach((file) => {
      if (packageOf(file) !== 'main') return;
      const content = files[file];
      const bytes = Buffer.isBuffer(content) ? content.length : Buffer.byteLength(String(content));
      const folder = file.indexOf('/') > 0 ? file.slice(0, file.indexOf('/')) : '(root)';
      byFolder[folder] = (byFolder[folder] || 0) + bytes;
    });
    Object.keys(byFolder)
      .sort()
      .forEach((folder) => console.log(`  ${folder.padEnd(16)} ${(byFolder[folder] / 1024).toFixed(1)} KB`));
    const sizes = packageSizes(files);
    const total = Object.keys(sizes).reduce((sum, pkg) => sum + sizes[pkg], 0);
    console.log(`main package: ${(sizes.main / 1024).toFixed(1)} KB (budget 64 KB; limit 2048 KB)`);
    Object.keys(sizes)
      .filter((pkg) => pkg !== 'main')
      .forEach((pkg) => console.log(`subpackage ${pkg}: ${(sizes[pkg] / 1024).toFixed(1)} KB`));
    console.log(`all packages: ${(total / 1024).toFixed(1)} KB (${Object.keys(files).length} files)`);
    process.exit(0);
  },
  (err) => {
    console.error(`mini program does not compile: ${err && err.code ? `[${err.code}] ` : ''}${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
