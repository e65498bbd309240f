import Holidays from 'date-holidays';
const hd = new Holidays('US', process.argv[2]); hd.setLanguages('en');
for (const r of hd.getRules()) if (r.type === 'public') console.log(JSON.stringify({rule: r.rule, name: r.name, active: r.active, disable: r.disable, enable: r.enable}));
