// Imports every file that defines part of the schema; defines no types itself.
import { builder } from './builder.ts';
import './scalars.ts';
import './domainErrorType.ts';
import './experiment.ts';
import './run.ts';
import './modelVersion.ts';
import './registeredModel.ts';
import './artifact.ts';

export const schema = builder.toSchema();
