"""``field__any_of=[ids]``: the rows whose id is in a list, written for the long id lists of the rights filters.

Every page filters by the bodies and meetings the user may see (``governance.permissions``), often a few
dozen ids, several times per page. Django's ``__in`` prepares and binds one parameter per id, which costs
more Python than the rest of such a query. On PostgreSQL ``any_of`` sends the list as one array,
``= ANY(%s)``, which the planner treats as it treats ``IN`` (an index condition). Elsewhere it is ``__in``.
Only integer ids: that is all the rights filters pass.
"""

from __future__ import annotations

from django.db.models import ForeignObject, IntegerField
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        return sorted({int(v) for v in self.rhs})

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)


IntegerField.register_lookup(AnyOf)  # ids (AutoField and BigAutoField are IntegerFields)
ForeignObject.register_lookup(AnyOf)  # foreign keys: body_id__any_of
