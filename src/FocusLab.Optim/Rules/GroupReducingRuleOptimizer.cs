namespace FocusLab.Optim;

/// <summary>
/// An optimizer whose step is one <see cref="IGroupReducingRule"/>: pass 1 (<see cref="AccumulateRange"/>, run over chunks
/// as reduction mode <see cref="AccumulateMode"/> so the chunk partials combine in a fixed order), one reduction per group
/// (<see cref="ReduceTotal"/>), then pass 2 with the group's coefficient (<see cref="RunWithGroupCoefficient"/>). The same
/// rule drives the phase sweep engine, where one toy run is one group (<see cref="ReductionGroupCount"/> must be 1 there).
/// </summary>
/// <typeparam name="TRule">The update rule.</typeparam>
public abstract class GroupReducingRuleOptimizer<TRule> : RuleOptimizer<TRule> where TRule : struct, IGroupReducingRule
{
    /// <summary>The reduction mode (<see cref="Optimizer.ReduceRange"/>) that runs pass 1 of the current rule.</summary>
    protected const int AccumulateMode = 1;

    /// <summary>Builds the groups as <see cref="RuleOptimizer{TRule}"/> does.</summary>
    /// <param name="id">Canonical optimizer id.</param>
    /// <param name="schema">The hyperparameters the optimizer understands.</param>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    protected GroupReducingRuleOptimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings)
        : base(id, schema, groups, settings)
    {
    }

    /// <summary>Builds groups that may follow different schemas (a composite such as muon, whose rule steps only its rank-one matrices).</summary>
    private protected GroupReducingRuleOptimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<GroupDefinition> groups)
        : base(id, schema, groups)
    {
    }

    /// <summary>How many separate groups the rule reduces over across all parameters (tensors for normalized SGD, blocks for blockwise Adam).</summary>
    public abstract int ReductionGroupCount { get; }

    /// <summary>Pass 1 of the current rule over [start, end) of parameter <paramref name="param"/>: updates the states it updates and returns the range's part of the total.</summary>
    protected double AccumulateRange(int param, int start, int end)
    {
        var p = Parameters[param];
        return RuleDriver.Accumulate(CurrentRule, CurrentLearningRate, CurrentWeightDecay, p.DataSpan, p.GradSpan,
            State(0, param), State(1, param), State(2, param), State(3, param), start, end);
    }

    /// <inheritdoc/>
    /// <remarks>Mode <see cref="AccumulateMode"/> is pass 1 of the current rule.</remarks>
    protected override double ReduceRange(int mode, int param, int start, int end) =>
        mode == AccumulateMode ? AccumulateRange(param, start, end) : base.ReduceRange(mode, param, start, end);

    /// <summary>The group coefficient of the current rule from a group's <paramref name="total"/> over <paramref name="count"/> coordinates, updating its scalar state.</summary>
    protected float ReduceTotal(double total, long count, ref double groupState) =>
        RuleDriver.Reduce(CurrentRule, CurrentLearningRate, CurrentWeightDecay, total, count, ref groupState);

    /// <summary>Pass 2: runs <paramref name="rule"/> with the group's <paramref name="coefficient"/> over [start, end) of a parameter.</summary>
    protected void RunWithGroupCoefficient(in TRule rule, float coefficient, int param, int start, int end)
    {
        var p = Parameters[param];
        RuleDriver.RunWithGroupCoefficient(rule, CurrentLearningRate, CurrentWeightDecay, coefficient, p.DataSpan, p.GradSpan,
            State(0, param), State(1, param), State(2, param), State(3, param), start, end);
    }

    /// <inheritdoc/>
    public override TResult Accept<TResult>(IRuleOptimizerVisitor<TResult> visitor) => visitor.VisitGroupReducing(this);
}
