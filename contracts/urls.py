from django.urls import path

from contracts import payment_views

app_name = "contracts"

urlpatterns = [
    path(
        "<int:contract_id>/pembayaran/",
        payment_views.contract_payments_page,
        name="payments",
    ),
    path("<int:contract_id>/tagihan/baru/", payment_views.invoice_add, name="invoice-add"),
    path("<int:contract_id>/pembayaran/baru/", payment_views.payment_add, name="payment-add"),
]
