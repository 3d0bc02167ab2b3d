package service

import (
	"context"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
)

// Permits says whether p may do a to an incident p has already read, so pages offer only
// the forms their reader may submit. It asks auth.Can like every use case does; a lookup
// error answers false, and the use case itself still checks when the form is sent.
func (s *Service) Permits(ctx context.Context, p auth.Principal, inc *domain.Incident, a auth.Action) bool {
	sub, err := s.subject(ctx, p, inc)
	return err == nil && auth.Can(p, a, sub)
}
