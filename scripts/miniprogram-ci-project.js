// Shared by the compile check and the size report: the repo root as a miniprogram-ci project,
// set up to run offline (wechat.md B3: dummy private key, default project attributes).
const path = require('path');
const ci = require('miniprogram-ci');

const ROOT = path.join(__dirname, '..');

/** A miniprogram-ci Project for this repo (appid comes from project.config.json). */
function createProject() {
  return new ci.Project({
    type: 'miniProgram',
    projectPath: ROOT,
    // Required by the constructor; compiling never uses it (preview and upload would).
    privateKey: 'offline-compile-only',
    ignores: ['node_modules/**/*', 'server/**/*', 'test/**/*', 'scripts/**/*', 'data/**/*', 'jest/**/*'],
    attr: async () => ci.DefaultProjectAttr,
  });
}

/** Compiles the project as DevTools would for upload, with WXML/WXSS minification (which also parses them). */
function compile() {
  return ci.getCompiledResult({
    project: createProject(),
    setting: { es6: true, minify: true, minifyJS: true, minifyWXML: true, minifyWXSS: true },
  });
}

module.exports = { ROOT, ci, createProject, compile };
