/**
 * The wire protocol of EventStoreDB as the client package itself defines it:
 * its generated service definitions and message classes. The test server is
 * built from these, so it speaks exactly what @eventstore/db-client sends and
 * expects. Loaded from the same files the client loads (one protobuf registry).
 */
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';

export const { StreamsService } = streamsGrpc;
export const { ServerFeaturesService } = serverFeaturesGrpc;
export const { ReadReq, ReadResp, AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } = streamsPb;
export const { Empty, UUID, StreamIdentifier, AllStreamPosition, WrongExpectedVersion } = sharedPb;
export const { Status } = statusPb;
export const { SupportedMethods, SupportedMethod } = serverFeaturesPb;
export const { Any } = anyPb;
export const GoogleEmpty = emptyPb.Empty;

export type ReadReqMessage = InstanceType<typeof ReadReq>;
export type ReadRespMessage = InstanceType<typeof ReadResp>;
export type AppendReqMessage = InstanceType<typeof AppendReq>;
export type AppendRespMessage = InstanceType<typeof AppendResp>;
export type BatchAppendReqMessage = InstanceType<typeof BatchAppendReq>;
export type BatchAppendRespMessage = InstanceType<typeof BatchAppendResp>;
export type StreamIdentifierMessage = InstanceType<typeof StreamIdentifier>;
