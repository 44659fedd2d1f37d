using FocusLab.Engine.Models;

namespace FocusLab.Engine.Tests.Models;

public class FlatParameterVectorTests
{
    [Fact]
    public void Gather_and_scatter_follow_the_parameter_order_in_either_precision()
    {
        var model = new Mlp<float>(new MlpConfig(Inputs: 3, Hidden: 2, Depth: 1, Classes: 2), seed: 4);
        int d = checked((int)model.ParameterCount);
        var expected = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        var values = new float[d];
        model.GatherValues<float>(values);
        Assert.Equal(expected, values);
        var wide = new double[d];
        model.GatherValues<double>(wide);
        Assert.Equal(expected.Select(v => (double)v), wide);

        var grads = Enumerable.Range(0, d).Select(i => 0.5 + i).ToArray();
        model.ScatterGradients<double>(grads);
        Assert.Equal(grads.Select(v => (float)v), model.Parameters.SelectMany(p => p.Grad.Span.ToArray()));
        var back = new double[d];
        model.GatherGradients<double>(back);
        Assert.Equal(grads, back);

        model.ScatterValues<float>(values.Select(v => -v).ToArray());
        Assert.Equal(expected.Select(v => -v), model.Parameters.SelectMany(p => p.Value.Span.ToArray()));
        Assert.Contains("parameters", Assert.Throws<ArgumentException>(() => model.GatherValues<float>(new float[d + 1])).Message);
    }
}
