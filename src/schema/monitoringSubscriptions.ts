import { alertsLiveSpec } from '../monitoring/alertsLiveSpec.ts';
import { lookUpModel } from '../monitoring/modelLookup.ts';
import { builder } from './builder.ts';
import { checkListSize, liveArgDescriptions, startFrom, unwrapLive } from './liveArgs.ts';
import { AlertTransitionType } from './monitoringMonitors.ts';

builder.subscriptionFields((t) => ({
  monitoringAlerts: t.field({
    type: AlertTransitionType,
    description: "Alert transitions as they are recorded: of some monitors, of one model's monitors, or of every monitor.",
    args: {
      model: t.arg.string(),
      monitorIds: t.arg.idList(),
      after: t.arg.string({ description: liveArgDescriptions.after }),
      fromStart: t.arg.boolean({ description: liveArgDescriptions.fromStart }),
    },
    subscribe: async (_root, args, ctx) => {
      if (args.monitorIds) checkListSize('monitorIds', args.monitorIds, 100);
      const modelId = args.model ? (await lookUpModel(ctx.readDb, args.model, 'model')).modelId : undefined;
      return ctx.live.open(alertsLiveSpec({ modelId, monitorIds: args.monitorIds?.map(String) }), startFrom(args.after, args.fromStart));
    },
    resolve: (item) => unwrapLive(item),
  }),
}));
