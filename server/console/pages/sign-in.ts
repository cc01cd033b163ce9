// The console's sign-in page.
import { html, raw } from '../html';
import { layout, t, type PageContext } from './layout';

export function signInPage(context: PageContext, options: { next: string; error?: string; notice?: string; simulatorMode: boolean }): string {
  const m = t(context);
  const body = html`<div class="signin">
<h1>${m.signInTitle}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.error ? html`<p class="error" role="alert" id="signin-error">${options.error}</p>` : null}
<form method="post" action="/admin/sign-in">
<input type="hidden" name="next" value="${options.next}">
<div class="field">
<label for="token">${m.adminToken}</label>
<input type="password" id="token" name="token" autocomplete="current-password" required autofocus spellcheck="false"${options.error ? raw(' aria-invalid="true" aria-describedby="signin-error"') : ''}>
<p class="hint">${m.signInIntro}${options.simulatorMode ? ` ${m.signInSimulatorHint}` : ''}</p>
</div>
<button type="submit">${m.signIn}</button>
</form>
</div>`;
  return layout(context, m.signInTitle, body);
}

