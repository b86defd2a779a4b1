import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ApiTokensController = () => import('#core/api_tokens/api_tokens_controller')

router
  .group(() => {
    router.get('admin/api-tokens', [ApiTokensController, 'index']).as('api_tokens.index')
    router.post('admin/api-tokens', [ApiTokensController, 'store']).as('api_tokens.store')
    router
      .post('admin/api-tokens/:id/revoke', [ApiTokensController, 'revoke'])
      .as('api_tokens.revoke')
      .where('id', router.matchers.number())
    // The page lived under 评审 while only the review API had tokens.
    router.on('review/tokens').redirectToPath('/admin/api-tokens')
  })
  .use(middleware.auth())
