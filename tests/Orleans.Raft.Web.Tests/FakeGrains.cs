using System.Reflection;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// A grain factory whose grains answer every call through one function, e.g. by failing the way a cluster does when
/// a silo is unreachable. DispatchProxy derives a type from this class at run time, so it cannot be sealed.
/// </summary>
public class FakeGrains : DispatchProxy
{
    private Func<MethodInfo, Task> _answer = null!;

    /// <summary>A factory whose grains answer with <paramref name="answer"/>, given the grain method called.</summary>
    public static IGrainFactory Create(Func<MethodInfo, Task> answer) => (IGrainFactory)Proxy(typeof(IGrainFactory), answer);

    /// <summary>An answer that fails every call with <paramref name="exception"/>.</summary>
    public static Func<MethodInfo, Task> Failing(Exception exception) => method => Faulted(method.ReturnType, exception);

    /// <summary>A completed task of the method's return type.</summary>
    public static Task Completed<T>(T value) => Task.FromResult(value);

    private static object Proxy(Type type, Func<MethodInfo, Task> answer)
    {
        var proxy = DispatchProxy.Create(type, typeof(FakeGrains));
        ((FakeGrains)proxy)._answer = answer;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        if (method.DeclaringType == typeof(IGrainFactory))
        {
            if (method.Name == nameof(IGrainFactory.GetGrain) && method.ReturnType.IsInterface) return Proxy(method.ReturnType, _answer);
            throw new NotSupportedException($"{method.Name} is not faked");
        }
        return _answer(method);
    }

    private static Task Faulted(Type taskType, Exception exception)
    {
        if (!taskType.IsGenericType) return Task.FromException(exception);
        var fromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
        return (Task)fromException.MakeGenericMethod(taskType.GetGenericArguments()[0]).Invoke(null, [exception])!;
    }
}
