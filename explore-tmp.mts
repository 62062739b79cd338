import { normalizeFiles } from './test/helpers/normalize-file.ts';
const [source, ...files] = process.argv.slice(2);
for (const f of files) {
  const r = await normalizeFiles(source, [f]);
  console.log('==', f, r.events.length, r.rejects.length, r.drops.length);
  for (const e of r.events) console.log(e.input_ref.split('/').pop(), e.event_type, e.action, e.user, e.user_type, 'T='+e.target_user, e.outcome, e.auth_method, e.mfa_method, e.mfa_evidence, e.mfa_verified, e.privileged, e.resource, e.session_id, e.reason, JSON.stringify(e.details).slice(0,300));
  for (const e of r.rejects) console.log('REJ', e.input_ref.split('/').pop(), e.reason, e.detail);
  for (const e of r.drops) console.log('DROP', e.input_ref.split('/').pop(), e.reason);
}
