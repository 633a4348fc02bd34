//! List filters: a query parameter that is present narrows the query, one that is absent does
//! not.

/// Adds a filter to a boxed query for each optional value that is present:
///
/// ```ignore
/// crate::filter_present!(query,
///     f.enterprise_id => |id| support_measures::enterprise_id.eq(id),
///     f.from => |day| support_measures::approved_on.ge(day),
/// );
/// ```
#[macro_export]
macro_rules! filter_present {
    ($query:ident, $($value:expr => |$binding:pat_param| $condition:expr),+ $(,)?) => {
        $(
            if let Some($binding) = $value {
                $query = $query.filter($condition);
            }
        )+
    };
}
