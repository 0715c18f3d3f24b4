// The DUO purpose picker: one permission (with a disease id for DS) and any
// modifiers, each checkbox labelled with its term and meaning.

import { DS, MODIFIERS, PERMISSIONS, purpose, type Purpose } from './duo';
import { field, h, uid } from './dom';

export interface Picker {
  element: HTMLElement;
  /** The chosen purpose, or a sentence saying what is missing. */
  value(): Purpose | string;
}

export function purposePicker(legend: string, initial = 'HMB'): Picker {
  const permission = h(
    'select',
    { id: uid('permission') },
    ...PERMISSIONS.map((t) => h('option', { value: String(t.id), selected: t.code === initial }, `${t.code} – ${t.label}`)),
  );
  const disease = h('input', { id: uid('disease'), type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const diseaseField = field('Disease id (MONDO number, for DS)', disease);
  const sync = () => {
    const ds = Number(permission.value) === DS;
    disease.disabled = !ds;
    diseaseField.hidden = !ds;
  };
  permission.addEventListener('change', sync);
  sync();
  const boxes = MODIFIERS.map((t) => {
    const box = h('input', { type: 'checkbox', id: uid(`mod-${t.code}`), value: String(t.id) });
    return { box, row: h('div', { class: 'check' }, box, h('label', { for: box.id }, `${t.code} – ${t.label}`)) };
  });
  const element = h(
    'fieldset',
    { class: 'purpose' },
    h('legend', {}, legend),
    field('Permission', permission),
    diseaseField,
    h('details', {}, h('summary', {}, 'Conditions of use (DUO modifiers)'), h('div', { class: 'checks' }, ...boxes.map((b) => b.row))),
  );
  return {
    element,
    value() {
      const p = Number(permission.value);
      let d: number | null = null;
      if (p === DS) {
        d = Number(disease.value);
        if (!Number.isInteger(d) || d < 1) return 'disease-specific research needs a disease id (a positive whole number)';
      }
      return purpose(p, d, boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value)));
    },
  };
}
