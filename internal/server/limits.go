package server

import (
	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/intake/form"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/web/ui"
)

// loginLimits counts failed sign-ins in the database on PostgreSQL, where
// replicas may serve side by side and each must see the others' failures;
// on SQLite, one server, in its memory.
func loginLimits(db *store.DB, o Options) ui.LoginLimits {
	if db.Dialect == store.Postgres {
		return &auth.SharedLoginLimiter{Limit: o.Auth.LoginLimit, Window: o.Auth.LoginWindow, Store: db.RateEvents(),
			Log: o.Logger.With("component", "login-limit")}
	}
	return auth.NewLoginLimiter(o.Auth.LoginLimit, o.Auth.LoginWindow)
}

// formLimits is the report form's shared count on PostgreSQL (nil: the
// form counts in memory, enough for one SQLite server).
func formLimits(db *store.DB) form.RateStore {
	if db.Dialect == store.Postgres {
		return db.RateEvents()
	}
	return nil
}
