// Imports every file that defines part of the schema; defines no types itself.
import { builder } from './builder.ts';
import './scalars.ts';
import './domainErrorType.ts';
import './experiment.ts';
import './run.ts';
import './modelVersion.ts';
import './registeredModel.ts';
import './approvals.ts';
import './registryHistory.ts';
import './artifact.ts';
import './runSubscriptions.ts';
import './monitoringIngest.ts';
import './monitoringModel.ts';
import './monitoringWebhooks.ts';
import './monitoringSubscriptions.ts';
import './metricSeries.ts';
import './registrySubscriptions.ts';
import './trackingCursor.ts';
import './registryCursor.ts';
import './identity.ts';

export const schema = builder.toSchema();
