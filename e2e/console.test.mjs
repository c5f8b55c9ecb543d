// The web console as a person at the bureau uses it, in Debian's Chromium (playwright-core).
// The tests run in order and share the platform started by e2e/run.sh: the first logs in the
// bootstrap administrator, later ones build on what earlier ones created.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const BASE = process.env.HONGYAN_URL;
const SHOTS = process.env.HONGYAN_SHOTS;
const FIRST_ADMIN_PASSWORD = process.env.HONGYAN_ADMIN_PASSWORD;
const ADMIN_PASSWORD = 'Adm1n-Console-2026';
const CLERK_PASSWORD = 'Clerk-Console-2026';

let browser;
let admin; // the administrator's browser context
let clerk; // a tenant user's context (account etax)
const state = {};

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function context() {
  const ctx = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  // A CSP violation or a script error on any page fails the test that caused it (answers with
  // a 4xx status are expected where a test provokes them).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { ctx, page, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function login(page, username, password) {
  await page.goto('/login');
  await page.getByLabel('账号').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

test('a wrong password is refused, the first login forces a new password with the policy shown', async () => {
  admin = await context();
  const { page } = admin;
  await page.goto('/');
  assert.match(page.url(), /\/login$/);
  await shot(page, '01-login');
  await login(page, 'admin', 'not-the-password');
  await page.getByText('账号或密码错误').waitFor();
  assert.equal(await page.getByLabel('账号').inputValue(), 'admin', 'what was typed is kept');

  await login(page, 'admin', FIRST_ADMIN_PASSWORD);
  await page.waitForURL(/\/password$/);
  await page.getByText('首次登录').waitFor();
  assert.ok(await page.getByText('至少 10 个字符').isVisible(), 'the policy is next to the field');
  await page.goto('/overview');
  assert.match(page.url(), /\/password$/, 'nothing else opens before the change');
  await page.getByLabel('当前密码').fill(FIRST_ADMIN_PASSWORD);
  await page.getByLabel('新密码').fill('weakpassword');
  await page.getByRole('button', { name: '保存新密码' }).click();
  await page.locator('#new-error').waitFor();
  await shot(page, '02-password-forced');
  await page.getByLabel('当前密码').fill(FIRST_ADMIN_PASSWORD);
  await page.getByLabel('新密码').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: '保存新密码' }).click();
  await page.waitForURL(/\/overview$/);
  await page.getByRole('heading', { name: '通道状态' }).waitFor();
  assert.ok(await page.locator('svg.chart').count() >= 2, 'charts drawn');
  assert.equal(await page.locator('.badge.ok').count() >= 3, true, 'three simulated channels up');
  await shot(page, '03-overview');
  assert.deepEqual(admin.problems, []);
});

test('an administrator opens an account; its secret is shown once', async () => {
  const { page } = admin;
  await page.goto('/accounts');
  await page.getByLabel('账号名称').fill('etax');
  await page.getByLabel('签名（不含【】，可选）').fill('某省税务局');
  await page.getByRole('button', { name: '开通' }).click();
  await page.getByText('密钥只显示这一次').waitFor();
  state.keyId = (await page.locator('#key-id').textContent()).trim();
  state.secret = (await page.locator('#secret').textContent()).trim();
  assert.match(state.keyId, /^HY[0-9A-F]{16}$/);
  assert.ok(state.secret.length >= 30);
  await shot(page, '04-account-secret');
  await page.getByRole('link', { name: '我已保存，查看账号' }).click();
  await page.locator('#keys').getByText(state.keyId).waitFor();
  assert.equal(await page.getByText(state.secret).count(), 0, 'the secret is not shown again');
  state.etax = Number(page.url().split('/').pop());
  await page.getByRole('button', { name: '新增密钥' }).click();
  await page.getByText('密钥已创建').waitFor();
  await page.goto(`/accounts/${state.etax}`);
  assert.equal(await page.locator('#keys tbody tr').count(), 2, 'two keys');
  await shot(page, '05-account');

  // Rights and prices on the account's page: a bad value is explained, a good one kept.
  await page.getByLabel('速率（条/秒）').fill('fast');
  await page.getByRole('button', { name: '保存权限' }).click();
  await page.locator('#rights-error').waitFor();
  await page.getByLabel('速率（条/秒）').fill('200');
  await page.getByLabel(/^单价/).fill('* * 0.05');
  await page.getByRole('button', { name: '保存权限' }).click();
  await page.waitForURL(/#rights$/);
  assert.equal(await page.getByLabel('速率（条/秒）').inputValue(), '200');
  assert.equal(await page.getByLabel(/^单价/).inputValue(), '* * 0.0500');

  // The account name is user input: a name with markup is shown as text.
  await page.goto('/accounts');
  await page.getByLabel('账号名称').fill('<i>other</i>');
  await page.getByLabel('签名（不含【】，可选）').fill('其他单位');
  await page.getByRole('button', { name: '开通' }).click();
  await page.getByText('密钥只显示这一次').waitFor();
  state.otherKey = (await page.locator('#key-id').textContent()).trim();
  state.otherSecret = (await page.locator('#secret').textContent()).trim();
  await page.goto('/accounts');
  await page.getByRole('link', { name: '<i>other</i>' }).waitFor();
  assert.equal(await page.locator('#accounts i').count(), 0, 'no markup from a name');
  await shot(page, '06-accounts');

  // A tenant user for etax, made on the users page.
  await page.goto('/users');
  await page.getByLabel('用户名', { exact: true }).fill('clerk');
  await page.locator('#role').selectOption('tenant');
  await page.getByLabel('所属账号（业务用户必选）').selectOption(String(state.etax));
  await page.getByLabel('初始密码', { exact: true }).fill(CLERK_PASSWORD);
  await page.getByRole('button', { name: '创建' }).click();
  await page.locator('#users tr', { hasText: 'clerk' }).getByText('待改密码').waitFor();
  await shot(page, '06b-users');
  assert.deepEqual(admin.problems, []);
});

test('a tenant applies for signatures and a template; the administrator approves, or rejects with a reason the tenant sees', async () => {
  clerk = await context();
  const { page } = clerk;
  await login(page, 'clerk', CLERK_PASSWORD);
  await page.waitForURL(/\/password$/);
  await page.getByLabel('当前密码').fill(CLERK_PASSWORD);
  await page.getByLabel('新密码').fill('Clerk-Changed-2026');
  await page.getByRole('button', { name: '保存新密码' }).click();
  await page.waitForURL(/\/overview$/);
  await page.goto('/signatures');
  await page.getByLabel('签名文字（不含【】）').fill('征纳互动');
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.locator('#own').getByText('【征纳互动】').waitFor();
  assert.ok(await page.locator('#own').getByText('待审核').isVisible());

  const a = admin.page;
  await a.goto('/signatures');
  const row = a.locator('#waiting tr', { hasText: '【征纳互动】' });
  await row.waitFor();
  await shot(a, '07-signatures-review');
  await row.getByRole('button', { name: '通过' }).click();
  await a.getByText('没有待审核的内容').waitFor();

  await page.reload();
  await page.locator('#own tr', { hasText: '【征纳互动】' }).getByText('已通过').waitFor();

  // A rejection says why, to the tenant who applied.
  await page.getByLabel('签名文字（不含【】）').fill('税务助手');
  await page.getByRole('button', { name: '提交申请' }).click();
  await a.goto('/signatures');
  const second = a.locator('#waiting tr', { hasText: '【税务助手】' });
  await second.getByLabel('驳回原因').fill('与单位名称不符');
  await second.getByRole('button', { name: '驳回' }).click();
  await a.getByText('没有待审核的内容').waitFor();
  await page.reload();
  await page.locator('#own tr', { hasText: '【税务助手】' }).getByText('原因：与单位名称不符').waitFor();

  // A template too: proposed by the tenant, approved by the administrator, then sent with values.
  await page.getByLabel('模板名称').fill('验证码');
  await page.locator('#tcategory').selectOption('verification');
  await page.getByLabel('模板内容').fill('您的验证码是 ${code}，5 分钟内有效。');
  await page.getByRole('button', { name: '提交模板' }).click();
  await page.locator('#own-templates tr', { hasText: '验证码' }).getByText('待审核').waitFor();
  await a.goto('/signatures');
  await a.locator('#waiting tr', { hasText: '${code}' }).getByRole('button', { name: '通过' }).click();
  await a.getByText('没有待审核的内容').waitFor();
  await page.reload();
  await page.locator('#own-templates tr', { hasText: '验证码' }).getByText('已通过').waitFor();
  await shot(page, '08-signatures-tenant');
  await page.goto('/send');
  await page.getByLabel('接收号码').fill('13700137000');
  await page.getByLabel('短信类别').selectOption('verification');
  await page.getByLabel('模板（可选）').selectOption({ label: '验证码：您的验证码是 ${code}，5 分钟内有效。' });
  await page.getByLabel('模板变量').fill('code=135790');
  await page.getByRole('button', { name: '发送', exact: true }).click();
  await page.locator('#result-summary').getByText('已受理 1').waitFor();
  assert.deepEqual(clerk.problems, []);
});

test('a tenant sends one message, watches it reach 已送达, and finds it by recipient', async () => {
  const { page } = clerk;
  await page.goto('/send');
  await page.getByLabel('接收号码').fill('13800138000');
  await page.getByLabel('短信类别').selectOption('verification');
  await page.getByLabel('短信内容').fill('您的验证码是 246810，5 分钟内有效。');
  await page.locator('#preview-text').getByText('【某省税务局】您的验证码是 246810').waitFor();
  assert.match(await page.locator('#preview-count').textContent(), /1 条计费/);
  await shot(page, '09-send');
  await page.getByRole('button', { name: '发送', exact: true }).click();
  await page.locator('#result-summary').getByText('已受理 1').waitFor();
  await shot(page, '10-send-result');
  await page.locator('table a').first().click();
  for (let i = 0; i < 50 && !(await page.getByText('已送达').count()); i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  assert.equal((await page.locator('#message-status').textContent()).trim(), '已送达');
  assert.match(await page.locator('#message-content').textContent(), /【某省税务局】您的验证码是 \*+/, 'the code is starred out');
  state.messageId = page.url().split('/').pop();
  await shot(page, '11-message');

  await page.goto('/messages');
  await page.getByLabel('接收号码').fill('13800138000');
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('#results tbody tr', { hasText: '13800138000' }).waitFor();
  await shot(page, '12-messages');
  await page.goto('/reports');
  await page.locator('#reports tr', { hasText: '13800138000' }).getByText('DELIVRD', { exact: true }).waitFor();
  await page.getByLabel('状态码').fill('UNDELIV');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByText('没有符合条件的状态报告').waitFor();
  await page.goto('/reports');
  await shot(page, '12b-reports');
  await page.goto('/messages?to=1380013');
  assert.ok(await page.locator('#to-error').isVisible(), 'a bad number is explained next to the field');
  assert.deepEqual(clerk.problems, []);
});

test('a tenant uploads an XLSX list, sees the invalid and repeated rows, sends it and follows the result', async () => {
  const { page } = clerk;
  await page.goto('/send');
  await page.getByRole('link', { name: /批量发送/ }).click();
  await page.getByLabel('号码名单（CSV 或 XLSX）').setInputFiles(`${process.env.HONGYAN_DATA}/list.xlsx`);
  await page.getByRole('button', { name: '上传并检查' }).click();
  await page.locator('#valid-count').waitFor();
  assert.equal((await page.locator('#valid-count').textContent()).trim(), '3');
  assert.equal((await page.locator('#invalid-count').textContent()).trim(), '1');
  assert.equal((await page.locator('#duplicate-count').textContent()).trim(), '1');
  assert.ok(await page.locator('#invalid tr', { hasText: '12345' }).isVisible(), 'the invalid row with its line');
  assert.ok(await page.locator('#sample').getByText('name=赵六').isVisible(), 'values from the name column');
  await shot(page, '09b-bulk-preview');
  await page.getByLabel('短信类别').selectOption('notification');
  await page.getByLabel('短信内容').fill('您的申报已受理，请留意后续通知。');
  await page.getByRole('button', { name: /发送 3 个号码/ }).click();
  await page.locator('#result-summary').getByText('已受理 3').waitFor();
  await shot(page, '09c-bulk-result');
  const ids = await page.locator('table a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(ids.length, 3);
  for (const href of ids) {
    await page.goto(href);
    for (let i = 0; i < 50 && !(await page.getByText('已送达').count()); i++) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    assert.equal((await page.locator('#message-status').textContent()).trim(), '已送达', href);
  }
  assert.deepEqual(clerk.problems, []);
});

test('a number on the blacklist is refused with the reason, per number', async () => {
  const a = admin.page;
  await a.goto('/blacklist');
  await a.getByLabel('手机号码').fill('13600136000');
  await a.getByLabel('原因').fill('投诉');
  await a.getByRole('button', { name: '加入', exact: true }).click();
  await a.locator('#blacklist').getByText('13600136000').waitFor();
  await shot(a, '06c-blacklist');
  const { page } = clerk;
  await page.goto('/send');
  await page.getByLabel('接收号码').fill('13600136000\n13500135000');
  await page.getByLabel('短信类别').selectOption('notification');
  await page.getByLabel('短信内容').fill('您的发票已开具。');
  await page.getByRole('button', { name: '发送', exact: true }).click();
  await page.locator('#result-summary').getByText('已受理 1').waitFor();
  assert.ok(await page.locator('tr', { hasText: '13600136000' }).getByText('未受理').isVisible());
});

test('staff search by sender across accounts, open the detail, and export what they found', async () => {
  const { page } = admin;
  await page.goto('/messages');
  await page.getByLabel('发送者').fill('user:clerk');
  await page.getByRole('button', { name: '查询' }).click();
  const rows = page.locator('#results tbody tr');
  await rows.first().waitFor();
  const senders = await page.locator('#results tbody tr td:nth-child(3)').allTextContents();
  assert.ok(senders.length >= 5 && senders.every((s) => s.trim() === 'user:clerk'), senders.join());
  await shot(page, '12c-messages-by-sender');
  await page.locator('#results tbody tr', { hasText: '13800138000' }).getByRole('link').click();
  await page.getByText(state.messageId).waitFor();
  assert.equal((await page.locator('#message-status').textContent()).trim(), '已送达');
  assert.equal((await page.locator('#message-sender').textContent()).trim(), 'user:clerk');

  await page.goto('/messages');
  await page.getByLabel('发送账号').selectOption(String(state.etax));
  await page.getByRole('button', { name: '查询' }).click();
  await rows.first().waitFor();
  const listed = await rows.count();
  const xlsx = await page.request.get(await page.locator('#export-xlsx').getAttribute('href'));
  assert.equal(xlsx.status(), 200);
  writeFileSync(`${process.env.HONGYAN_DATA}/export.xlsx`, await xlsx.body());
  // Read back by a reader we did not write (PyPI openpyxl).
  const read = execFileSync('python3', ['-c', `
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = list(ws.iter_rows(values_only=True))
print(len(rows) - 1, rows[0][3], sorted({r[3] for r in rows[1:]}))`, `${process.env.HONGYAN_DATA}/export.xlsx`]).toString();
  assert.match(read, new RegExp(`^${listed} sender \\['user:clerk'\\]`), read);
  const csv = await (await page.request.get(await page.locator('#export-csv').getAttribute('href'))).text();
  assert.equal(csv.trim().split('\n').length - 1, listed, 'the CSV has the same rows');
  await page.goto('/audit?action=messages.export');
  await page.locator('#audit tr', { hasText: 'messages.export' }).first().waitFor();
});

test('a tenant cannot open another account\'s message by changing the URL', async () => {
  const auth = 'Basic ' + Buffer.from(`${state.otherKey}:${state.otherSecret}`).toString('base64');
  const ctx = await browser.newContext({ baseURL: BASE });
  const sent = await ctx.request.post('/api/v1/messages', {
    headers: { authorization: auth },
    data: { to: ['13900139000'], content: '您的业务已办理', category: 'notification' },
  });
  assert.equal(sent.status(), 200, await sent.text());
  const id = (await sent.json()).results[0].message_id;
  await ctx.close();
  const { page } = clerk;
  const other = (await (await admin.page.request.get('/api/v1/admin/accounts')).json()).accounts.find((a) => a.name === '<i>other</i>').id;
  const answer = await page.goto(`/messages/${id}?account=${other}`);
  assert.equal(answer.status(), 404);
  const own = await page.goto(`/messages/${state.messageId}`);
  assert.equal(own.status(), 200);
});

test('a form posted without its CSRF token is refused', async () => {
  const { page } = clerk;
  const forged = await page.request.post('/send', {
    form: { to: '13800138000', category: 'verification', content: '伪造' },
  });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), /表单已失效/);
  const wrong = await page.request.post('/signatures', { form: { _csrf: 'deadbeef', text: '伪造签名' } });
  assert.equal(wrong.status(), 403);
});

test('the statement\'s exports have the totals the API gives, and staff see every account at once', async () => {
  const { page } = clerk;
  await page.goto('/statements');
  await page.locator('#statement').waitFor();
  await shot(page, '13-statements');
  const from = await page.getByLabel('起始日期').inputValue();
  const to = await page.getByLabel('截止日期（含）').inputValue();
  const csv = await (await page.request.get(await page.locator('#export-csv').getAttribute('href'))).text();
  const total = csv.trim().split('\n').pop().split(',');
  const api = await (await page.request.get(`/api/v1/statement?from=${from}&to=${to}`)).json();
  assert.equal(Number(total[2]), api.total.messages);
  assert.equal(Number(total[3]), api.total.billed_segments);
  assert.equal(total[6], api.total.amount);
  assert.ok(Number(api.total.amount) > 0, 'priced at 0.05 a segment');
  assert.equal(Number((await page.locator('#statement .total-messages').textContent()).trim()), api.total.messages);
  const xlsx = await page.request.get(await page.locator('#export-xlsx').getAttribute('href'));
  writeFileSync(`${process.env.HONGYAN_DATA}/statement.xlsx`, await xlsx.body());
  const read = execFileSync('python3', ['-c', `
import sys, openpyxl
rows = list(openpyxl.load_workbook(sys.argv[1]).active.iter_rows(values_only=True))
last = rows[-1]
print(last[0], int(last[4]), int(last[5]), f"{last[8]:.4f}")`, `${process.env.HONGYAN_DATA}/statement.xlsx`]).toString().trim();
  assert.equal(read, `total ${api.total.messages} ${api.total.billed_segments} ${api.total.amount}`, read);

  const a = admin.page;
  await a.goto('/statements');
  await a.getByLabel('账号').selectOption('all');
  await a.getByRole('button', { name: '生成' }).click();
  await a.locator('#grand-total').waitFor();
  await shot(a, '13b-statements-all');
  const all = await (await a.request.get(`/api/v1/admin/statements?from=${from}&to=${to}`)).json();
  assert.ok(all.total.messages > api.total.messages, 'every account, more than one');
  assert.match(await a.locator('#grand-total').textContent(), new RegExp(`${all.total.messages}`));
});

test('five wrong passwords lock a user; the administrator unlocks it; the audit log shows it all', async () => {
  const a = admin.page;
  await a.goto('/users');
  await a.getByLabel('用户名', { exact: true }).fill('locky');
  await a.locator('#role').selectOption('auditor');
  await a.getByLabel('初始密码', { exact: true }).fill('Locky-Passw0rd-1');
  await a.getByRole('button', { name: '创建' }).click();
  await a.locator('#users tr', { hasText: 'locky' }).waitFor();
  const { ctx, page } = await context();
  for (let i = 0; i < 5; i++) await login(page, 'locky', 'wrong-password');
  await login(page, 'locky', 'Locky-Passw0rd-1');
  await page.locator('#login-error', { hasText: '锁定 15 分钟' }).waitFor();
  assert.match(page.url(), /\/login$/);
  await shot(page, '14-locked');

  await a.goto('/users');
  const row = a.locator('#users tr', { hasText: 'locky' });
  await row.getByText('已锁定').waitFor();
  await row.getByRole('button', { name: '解锁' }).click();
  await a.locator('#users tr', { hasText: 'locky' }).getByText('正常').waitFor();
  await login(page, 'locky', 'Locky-Passw0rd-1');
  await page.waitForURL(/\/password$/);
  await ctx.close();

  await a.goto('/audit?action=user.unlock');
  await a.locator('#audit tr', { hasText: 'user:locky' }).waitFor();
  await a.goto('/audit');
  await shot(a, '14b-audit');
  const csv = await (await a.request.get(await a.locator('#audit-csv').getAttribute('href'))).text();
  for (const action of ['account.create', 'key.create', 'user.create', 'signature.approve', 'user.unlock', 'login_failed']) {
    assert.ok(csv.includes(`"${action}"`), `${action} in the exported audit log`);
  }
  assert.ok(!csv.includes('Locky-Passw0rd-1'), 'no password in the audit log');
});

test('staff see each channel live: links, windows, submits and its configuration', async () => {
  const { page } = admin;
  await page.goto('/channels');
  const mobile = page.locator('#channels tr', { hasText: 'china-mobile-sim' });
  await mobile.waitFor();
  const cells = await mobile.locator('td').allTextContents();
  assert.equal(cells[2].trim(), 'CMPP 3.0');
  assert.equal(cells[4].trim(), '1/1', 'one link of one up');
  assert.ok(Number(cells[8]) >= 2, `submits counted: ${cells[8]}`);
  assert.equal(await page.locator('#channels tbody tr').count(), 3);
  await page.locator('#channel-config').getByText('china-telecom-sim').waitFor();
  await shot(page, '03b-channels');
});

test('a fault the bureau reports is followed on its clocks, recorded by staff, and on the acceptance report', async () => {
  const { page } = clerk;
  await page.goto('/incidents');
  await page.getByLabel('故障现象').fill('约 10:05 起部分纳税人收不到验证码');
  await page.getByRole('button', { name: '提交申告' }).click();
  const mine = page.locator('#incidents tbody tr', { hasText: '收不到验证码' });
  await mine.waitFor();
  assert.match(await mine.locator('.fix-clock').textContent(), /时限/, 'the 4-hour clock is running');
  assert.equal(await page.getByText('登记处理').count(), 0, 'a tenant does not record the fix');
  await shot(page, '17-fault-report');
  assert.equal((await page.goto('/acceptance')).status(), 403, 'the acceptance report is for staff');

  const a = admin.page;
  await a.goto('/incidents');
  const row = a.locator('#incidents tbody tr', { hasText: '收不到验证码' });
  await row.getByText('登记处理').click();
  await row.getByLabel('已修复（按当前时间）').check();
  await row.getByLabel('原因').fill('运营商网关升级');
  await row.getByLabel('结果').fill('10:40 恢复');
  await row.getByRole('button', { name: '保存' }).click();
  await a.locator('#incidents tbody tr', { hasText: '收不到验证码' }).locator('.report-clock', { hasText: '按时' }).waitFor();
  await shot(a, '18-incidents');

  await a.goto('/acceptance');
  await a.locator('#acceptance-channels').waitFor();
  assert.equal(await a.locator('#acceptance-channels tbody tr').count(), 3, 'every channel');
  await a.locator('#acceptance-incidents tr', { hasText: '收不到验证码' }).waitFor();
  assert.match(await a.locator('#incident-tally').textContent(), /4 小时内修复 1 .* 1 小时内报告 1/);
  await shot(a, '19-acceptance');
  const xlsx = await a.request.get(await a.locator('#export-xlsx').getAttribute('href'));
  writeFileSync(`${process.env.HONGYAN_DATA}/acceptance.xlsx`, await xlsx.body());
  const read = execFileSync('python3', ['-c', `
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
rows = list(book['incidents'].iter_rows(values_only=True))
print(",".join(book.sheetnames), len(book['channels']['A']) - 1, rows[-1][6], rows[-1][7], rows[-1][9])`,
  `${process.env.HONGYAN_DATA}/acceptance.xlsx`]).toString().trim();
  assert.equal(read, 'channels,incidents,billing 3 pass pass 运营商网关升级', read);
  await a.emulateMedia({ media: 'print' });
  assert.equal(await a.locator('nav.side').isVisible(), false, 'printed without the console frame');
  assert.ok(await a.locator('#acceptance-report').isVisible());
  await a.emulateMedia({ media: 'screen' });
});

test('help shows the manuals; English is one click and remembered', async () => {
  const { page } = admin;
  await page.goto('/help/user-manual');
  await page.locator('article.doc h1').first().waitFor();
  await shot(page, '15-help');
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Help' }).waitFor();
  await page.goto('/overview');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: '中文' }).click();
  await page.getByRole('heading', { name: '概览' }).waitFor();
  await page.setViewportSize({ width: 768, height: 1000 });
  await page.goto('/overview');
  await shot(page, '16-overview-tablet');
  assert.deepEqual(admin.problems, []);
});
