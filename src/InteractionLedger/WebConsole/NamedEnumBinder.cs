using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace InteractionLedger.WebConsole;

/// <summary>
/// Form and query values naming an enum member bind only by its name: "1" for a channel is a mistake to report, not
/// the second member to record (MVC's own binder accepts numbers).
/// </summary>
public sealed class NamedEnumBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context)
    {
        var type = Nullable.GetUnderlyingType(context.Metadata.ModelType) ?? context.Metadata.ModelType;
        return type.IsEnum ? new NamedEnumBinder(type) : null;
    }

    private sealed class NamedEnumBinder(Type type) : IModelBinder
    {
        public Task BindModelAsync(ModelBindingContext context)
        {
            var value = context.ValueProvider.GetValue(context.ModelName);
            if (value == ValueProviderResult.None) return Task.CompletedTask;
            context.ModelState.SetModelValue(context.ModelName, value);
            var text = value.FirstValue;
            if (string.IsNullOrEmpty(text)) context.Result = ModelBindingResult.Success(null);
            else if (Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name)
                context.Result = ModelBindingResult.Success(Enum.Parse(type, name));
            else context.ModelState.TryAddModelError(context.ModelName, "not one of the listed values");
            return Task.CompletedTask;
        }
    }
}
