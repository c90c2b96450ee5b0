export {
  type CurveFigure,
  comparedCurvesSpec,
  confusionSpec,
  curvesSpec,
  type EpochPoint,
  embeddingSpec,
  type RocCurve,
  rocSpec,
  type TradeoffPoint,
  tradeoffSpec,
} from './specs.js';
