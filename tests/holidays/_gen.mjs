import Holidays from 'date-holidays';
import { writeFileSync, readFileSync } from 'node:fs';
const statutes = JSON.parse(readFileSync('/tmp/statutes.json', 'utf8'));
const wd = { monday: 'mon', tuesday: 'tue', wednesday: 'wed', thursday: 'thu', friday: 'fri', saturday: 'sat', sunday: 'sun' };
const months = ['January','February','March','April','May','June','July','August','September','October','November','December'];
const mon = (m) => months.indexOf(m) >= 0 ? ['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'][months.indexOf(m)] : null;
function nth(s) { // "3rd monday in January" -> "3rd mon of jan"
  const m = s.match(/^(\d)(st|nd|rd|th) (\w+) in (\w+)$/); if (!m) return null;
  return `${m[1]}${m[2]} ${wd[m[3]]} of ${mon(m[4])}`;
}
function observed(clauses) {
  const out = [];
  const re = /if ([a-z,]+) then (next|previous) (\w+)/g; let m;
  while ((m = re.exec(clauses))) for (const d of m[1].split(',')) out.push(`${wd[d]} -> ${wd[m[3]]}`);
  return out.length ? ' observed ' + out.join(', ') : '';
}
function translate(rule) {
  let r = rule.replace(/ #\d+$/, '');
  let years = '';
  let m;
  if ((m = r.match(/ since (\d{4})(?: and prior to (\d{4}))?$/))) { years = `from ${m[1]}` + (m[2] ? ` until ${+m[2]-1}` : ''); r = r.slice(0, m.index); }
  else if ((m = r.match(/ prior to (\d{4})$/))) { years = `until ${+m[1]-1}`; r = r.slice(0, m.index); }
  let every = '';
  if ((m = r.match(/ in even years$/))) { every = 'every 2 years'; r = r.slice(0, m.index); if (!years) years = 'from 2000'; }
  let obs = '';
  if ((m = r.match(/ and (if .*)$/))) { obs = observed(m[1]); r = r.slice(0, m.index); }
  r = r.replace(/ \d\d:\d\d$/, '');
  let head;
  if (/^\d\d-\d\d$/.test(r)) head = `yearly ${r}`;
  else if (/^\d{4}-\d\d-\d\d$/.test(r)) return { dated: r };
  else if ((m = r.match(/^easter( [-+]\d+)?$/))) head = `easter${m[1] ?? ''}`;
  else if (nth(r)) head = `yearly ${nth(r)}`;
  else if (r === 'monday before 06-01') head = 'yearly last mon of may';
  else if (r === 'monday before April') head = 'yearly last mon of mar';
  else if ((m = r.match(/^(\w+) (before|after) (\d\d-\d\d)$/))) head = `yearly ${wd[m[1]]} ${m[2]} ${m[3]}`;
  else if ((m = r.match(/^(\w+) (before|after) (.*)$/)) && nth(m[3])) head = `yearly ${wd[m[1]]} ${m[2]} ${nth(m[3])}`;
  else if (r === 'friday before 1st monday before 06-01') head = 'yearly fri before last mon of may';
  else return { unknown: rule };
  return { head: [years, every, head].filter(Boolean).join(' '), obs };
}
const hd0 = new Holidays('US');
const states = hd0.getStates('US');
for (const s of Object.keys(states)) {
  const hd = new Holidays('US', s); hd.setLanguages('en-us');
  // years each rule occurs in, 2000-2100
  const seen = new Map();
  for (let y = 2000; y <= 2100; ++y) for (const h of hd.getHolidays(y)) if (h.type === 'public' && !h.substitute) {
    const ys = seen.get(h.rule) ?? []; ys.push(+h.date.slice(0,4)); seen.set(h.rule, ys);
  }
  const lines = [];
  for (const r of hd.getRules()) {
    if (r.type !== 'public') continue;
    const name = r.name['en-us'] ?? r.name.en ?? r.name;
    const t = translate(r.rule);
    const ys = seen.get(r.rule) ?? [];
    if (t.unknown) { lines.push({ head: `# UNKNOWN ${t.unknown}`, name }); continue; }
    if (t.dated) { lines.push({ head: t.dated, name, key: t.dated.slice(5) }); continue; }
    let head = t.head;
    if (!/^(from|until)/.test(head) && ys.length) {
      const first = Math.min(...ys), last = Math.max(...ys);
      const pre = (first > 2000 ? `from ${first} ` : '') + (last < 2100 ? `until ${last} ` : '');
      head = pre + head;
    }
    if (!ys.length) head = `# NEVER ${head}`;
    const first = hd.getHolidays(2030).find((h) => h.rule === r.rule && !h.substitute) ?? hd.getHolidays(2031).find((h) => h.rule === r.rule) ?? hd.getHolidays(2010).find((h) => h.rule === r.rule);
    lines.push({ head, name, obs: t.obs, key: first ? first.date.slice(5, 10) : '99' });
  }
  lines.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
  const w = Math.max(...lines.map((l) => l.head.length));
  const id = `us-${s.toLowerCase()}`;
  const body = lines.map((l) => `  ${l.head.padEnd(w)} ${JSON.stringify(l.name)}${l.obs ?? ''}`).join('\n');
  writeFileSync(`/tmp/gen/${id}.policy`, `# ${states[s]}: legal holidays, ${statutes[s]}\n#\nHEADER\ncalendar ${id} {\n${body}\n}\n`);
}
