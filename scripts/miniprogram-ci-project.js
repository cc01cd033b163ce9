// Shared by the compile check and the size report: the repo root as a miniprogram-ci project,
// set up to run offline (docs/reference/wechat.md §B3: dummy private key, default project attributes).
const path = require('path');

// miniprogram-ci fetches an extension allow-list from servicewechat.com while compiling and falls back
// to its built-in list when that fails. Nothing we run may reach the internet: route its requests
// (in this process and the compiler processes it forks) to a closed loopback port.
const OFFLINE_PROXY = 'http://127.0.0.1:9';
for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) process.env[key] = OFFLINE_PROXY;
delete process.env.NO_PROXY;
delete process.env.no_proxy;
const ci = require('miniprogram-ci');
ci.proxy(OFFLINE_PROXY);

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


/**
 * Which package a compiled file belongs to: the root of its subpackage (app.json "subpackages"), or
 * "main" for the main package, which WeChat downloads before the first page shows.
 */
function packageOf(file) {
  const app = JSON.parse(require('fs').readFileSync(path.join(ROOT, 'miniprogram/app.json'), 'utf8'));
  const sub = (app.subpackages || []).find((p) => file === p.root || file.startsWith(`${p.root.replace(/\/$/, '')}/`));
  return sub ? sub.root : 'main';
}

/** Bytes per package ({ main, "pages/result": … }) of a compiled result. */
function packageSizes(files) {
  const sizes = { main: 0 };
  Object.keys(files).forEach((file) => {
    const content = files[file];
    const bytes = Buffer.isBuffer(content) ? content.length : Buffer.byteLength(String(content));
    const pkg = packageOf(file);
    sizes[pkg] = (sizes[pkg] || 0) + bytes;
  });
  return sizes;
}

module.exports = { ROOT, ci, createProject, compile, packageOf, packageSizes };
