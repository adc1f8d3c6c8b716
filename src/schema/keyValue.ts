import type { KeyValueRow } from '../projections/keyValueRows.ts';
import { builder } from './builder.ts';

export const ParamType = builder.objectRef<KeyValueRow>('Param').implement({
  description: 'A run parameter: written once, never changed.',
  fields: (t) => ({ key: t.exposeString('key'), value: t.exposeString('value') }),
});

export const TagType = builder.objectRef<KeyValueRow>('Tag').implement({
  fields: (t) => ({ key: t.exposeString('key'), value: t.exposeString('value') }),
});

export const KeyValueInput = builder.inputType('KeyValueInput', {
  fields: (t) => ({ key: t.string({ required: true }), value: t.string({ required: true }) }),
});
