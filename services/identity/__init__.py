"""The identity context: Insats' own staff directory (organisations and staff accounts bound to a
personnummer, with roles and a validity), the staff login's decision (who may log in, as which
roles) and the directory's audit trail. Deployed as ``identity_svc`` over its own table ``identity``."""
