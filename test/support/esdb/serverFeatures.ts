/**
 * ServerFeatures.GetSupportedMethods: what the client asks first. It switches
 * to BatchAppend for every append when the server lists
 * event_store.client.streams.streams/batchappend (lower-cased service/method).
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { SupportedMethod, SupportedMethods, type Empty } from './generatedProtocol.ts';

const STREAMS = 'event_store.client.streams.streams';

export function createServerFeaturesHandler(batchAppend: boolean) {
  return (_call: ServerUnaryCall<InstanceType<typeof Empty>, InstanceType<typeof SupportedMethods>>, callback: sendUnaryData<InstanceType<typeof SupportedMethods>>) => {
    const methods = ['read', 'append', ...(batchAppend ? ['batchappend'] : [])].map((method) => new SupportedMethod().setServiceName(STREAMS).setMethodName(method));
    callback(null, new SupportedMethods().setEventStoreServerVersion('23.10.0').setMethodsList(methods));
  };
}
