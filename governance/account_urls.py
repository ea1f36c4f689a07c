"""Login, logout and password reset, with Django's own views and this project's templates."""

from django.contrib.auth import views as auth_views
from django.urls import path

from governance import account_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    # Account lifecycle: the Secretariat invites; the invitee sets a password through the emailed link.
    path("invite/", account_views.invite, name="account_invite"),
    path("welcome/<uidb64>/<token>/", account_views.WelcomeSetPasswordView.as_view(), name="account_welcome"),
]
